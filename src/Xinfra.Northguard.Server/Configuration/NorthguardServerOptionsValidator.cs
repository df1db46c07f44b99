using System.Globalization;

namespace Xinfra.Northguard.Server.Configuration;

/// <summary>
/// Checks a <see cref="NorthguardServerOptions"/> as a whole and names every wrong field by its configuration path
/// (e.g. <c>Northguard:Members:2</c>) with what was expected, so a broker refuses to start on a bad file.
/// </summary>
public static class NorthguardServerOptionsValidator
{
    private const string P = NorthguardServerOptions.SectionName;

    /// <summary>The problems of <paramref name="options"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(NorthguardServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BrokerId == 0)
        {
            errors.Add($"{P}:BrokerId is required and must be a positive integer.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{P}:DataDirectory is required: the folder for the broker's WAL, segments and Raft log.");
        }

        if (!System.Net.IPAddress.TryParse(options.Host, out _))
        {
            errors.Add($"{P}:Host '{options.Host}' is not an IP address to listen on (e.g. 0.0.0.0 or 127.0.0.1).");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{P}:Port {options.Port} is out of range: expected 0-65535.");
        }

        if (options.MetricsPort is < 0 or > 65535)
        {
            errors.Add($"{P}:MetricsPort {options.MetricsPort} is out of range: expected 0-65535 (or no value to turn the metrics endpoint off).");
        }
        else if (options.MetricsPort is > 0 && options.MetricsPort == options.Port)
        {
            errors.Add($"{P}:MetricsPort {options.MetricsPort} is the gRPC port: the metrics endpoint needs its own port.");
        }

        ValidateMembers(options, errors);
        var m = options.Metadata;
        if (m.VnodeCount is < 1 or > ushort.MaxValue)
        {
            errors.Add($"{P}:Metadata:VnodeCount {m.VnodeCount} is out of range: expected 1-65535.");
        }

        if (m.ReplicationFactor < 1)
        {
            errors.Add($"{P}:Metadata:ReplicationFactor {m.ReplicationFactor} must be at least 1.");
        }

        if (m.TickPeriod <= TimeSpan.Zero || m.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{P}:Metadata:TickPeriod and RequestTimeout must be positive durations (e.g. 00:00:00.100).");
        }

        if (m.ElectionTicks < 2)
        {
            errors.Add($"{P}:Metadata:ElectionTicks {m.ElectionTicks} must be at least 2.");
        }

        var d = options.DataPath;
        if (d.ProduceWindow < 1)
        {
            errors.Add($"{P}:DataPath:ProduceWindow {d.ProduceWindow} must be at least 1.");
        }

        if (d.MaxRecordBytes < 1)
        {
            errors.Add($"{P}:DataPath:MaxRecordBytes {d.MaxRecordBytes} must be at least 1.");
        }

        if (d.ReplicaTimeout <= TimeSpan.Zero || d.RereplicationInterval < TimeSpan.Zero || d.GroupCommitWindow < TimeSpan.Zero)
        {
            errors.Add($"{P}:DataPath:ReplicaTimeout must be positive; RereplicationInterval and GroupCommitWindow must not be negative.");
        }

        return errors;
    }

    /// <summary>The member ids and endpoints, parsed; call only on valid options.</summary>
    public static IReadOnlyDictionary<ulong, Uri> ParseMembers(NorthguardServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Members.ToDictionary(
            m => ulong.Parse(m.Key, NumberStyles.None, CultureInfo.InvariantCulture),
            m => new Uri(m.Value, UriKind.Absolute));
    }

    private static void ValidateMembers(NorthguardServerOptions options, List<string> errors)
    {
        var ids = new HashSet<ulong>();
        foreach (var (key, endpoint) in options.Members)
        {
            if (!ulong.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
            {
                errors.Add($"{P}:Members:{key} is not a broker id: expected a positive integer key.");
                continue;
            }

            ids.Add(id);
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Port <= 0)
            {
                errors.Add($"{P}:Members:{key} '{endpoint}' is not an endpoint: expected http://host:port.");
            }
        }

        if (options.Members.Count == 0)
        {
            return;
        }

        if (options.BrokerId != 0 && !ids.Contains(options.BrokerId))
        {
            errors.Add($"{P}:Members must list this broker ({options.BrokerId}) with its own endpoint.");
        }

        if (options.Members.Count > 1 && options.Port == 0)
        {
            errors.Add($"{P}:Port must be set (not 0) in a multi-broker cluster: the other members reach this broker at the port listed under {P}:Members.");
        }
        else if (options.Members.TryGetValue(options.BrokerId.ToString(CultureInfo.InvariantCulture), out var own)
            && Uri.TryCreate(own, UriKind.Absolute, out var ownUri) && options.Port != 0 && ownUri.Port != options.Port)
        {
            errors.Add($"{P}:Members:{options.BrokerId} lists port {ownUri.Port} but {P}:Port is {options.Port}: they must agree.");
        }
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Cli.Commands.Metadata;

/// <summary>
/// The backup file: <c>{"format":"xinfra-metadata-backup","version":1,"checksum":"sha256:…","body":{…}}</c>. The
/// checksum is the SHA-256 of the body's compact JSON text; a file whose body was edited or truncated is refused.
/// </summary>
internal static class MetadataBackup
{
    public const string Format = "xinfra-metadata-backup";
    public const int Version = 1;
    public const string PositionPrefix = "__ng.positions/";

    /// <summary>Builds the body from an export: position documents become <see cref="BackupPosition"/>s, other documents stay verbatim.</summary>
    public static BackupBody FromExport(MetadataExport export, DateTimeOffset createdAt, IReadOnlyList<string> bootstrap)
    {
        var positions = new List<BackupPosition>();
        var documents = new List<BackupDocument>();
        foreach (var d in export.Documents)
        {
            if (d.Key.StartsWith(PositionPrefix, StringComparison.Ordinal) && TryParsePosition(d, out var position))
            {
                if (position.Offset >= 0)
                {
                    positions.Add(position); // Offset -1: a range lease claimed but nothing committed; leases are not restored.
                }
            }
            else
            {
                documents.Add(new BackupDocument(d.Key, d.Version, Convert.ToBase64String(d.Content.Span)));
            }
        }

        return new BackupBody
        {
            CreatedAt = createdAt,
            Source = string.Join(',', bootstrap),
            Vnodes = export.Vnodes.Count,
            Topics = [.. export.Topics.Select(t => new BackupTopic(t.Topic.Name, BackupPolicy.Of(t.Topic.Policy),
                [.. t.Ranges.Where(r => r.State == RangeState.Active).OrderBy(r => r.KeyStart).Select(r => new BackupRange(r.Id.Value, r.KeyStart, r.KeyEnd))]))],
            Acls = [.. export.Acls.Select(a => new BackupAcl(a.Topic, a.Principal, a.Operations))],
            Documents = documents,
            Positions = positions,
        };
    }

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public static async Task WriteAsync(string path, BackupBody body, CancellationToken ct)
    {
        var node = JsonSerializer.SerializeToNode(body, CliJson.Options)!;
        var root = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["checksum"] = Checksum(node),
            ["body"] = node,
        };
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        await File.WriteAllTextAsync(temp, root.ToJsonString(CliJson.Options), ct);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads and verifies a file; a wrong format, version or checksum is an error naming the file.</summary>
    public static async Task<BackupBody> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"backup file '{path}' does not exist.");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(await File.ReadAllTextAsync(path, ct));
        }
        catch (JsonException e)
        {
            throw new CliException($"backup file '{path}' is not JSON: {e.Message}");
        }

        if (root?["format"]?.GetValue<string>() != Format)
        {
            throw new CliException($"backup file '{path}' is not an xinfra metadata backup (format must be '{Format}').");
        }

        int version = root["version"]?.GetValue<int>() ?? 0;
        if (version != Version)
        {
            throw new CliException($"backup file '{path}' has format version {version}; this xinfra reads version {Version}.");
        }

        var body = root["body"] ?? throw new CliException($"backup file '{path}' has no body.");
        string expected = root["checksum"]?.GetValue<string>() ?? string.Empty;
        string actual = Checksum(body);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new CliException($"backup file '{path}' is corrupt: checksum {actual} does not match the recorded {expected}.");
        }

        return body.Deserialize<BackupBody>(CliJson.Options) ?? throw new CliException($"backup file '{path}' has an empty body.");
    }

    /// <summary>The document key of a group's position.</summary>
    public static string PositionKey(string group, string topic, ulong range) => $"{PositionPrefix}{group}/{topic}/{range}";

    private static string Checksum(JsonNode body) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body.ToJsonString())));

    private static bool TryParsePosition(ConfigDocument d, out BackupPosition position)
    {
        // __ng.positions/{group}/{topic}/{range}: the group has no '/', the range is the last segment. The content starts
        // with the offset: 8 bytes before commit fencing, then the lease epoch and holder after it (Groups/PositionDocument).
        position = null!;
        var rest = d.Key[PositionPrefix.Length..];
        int first = rest.IndexOf('/', StringComparison.Ordinal);
        int last = rest.LastIndexOf('/');
        if (first <= 0 || last <= first || d.Content.Length is not (8 or >= 16) || !ulong.TryParse(rest[(last + 1)..], System.Globalization.CultureInfo.InvariantCulture, out ulong range))
        {
            return false;
        }

        position = new BackupPosition(rest[..first], rest[(first + 1)..last], range, BinaryPrimitives.ReadInt64LittleEndian(d.Content.Span));
        return true;
    }
}

/// <summary>The content of a backup.</summary>
internal sealed record BackupBody
{
    public required DateTimeOffset CreatedAt { get; init; }

    public required string Source { get; init; }

    public required int Vnodes { get; init; }

    public required IReadOnlyList<BackupTopic> Topics { get; init; }

    public required IReadOnlyList<BackupAcl> Acls { get; init; }

    /// <summary>Config-service documents (routes, profiles, and whatever else the platform stores there), content in base64.</summary>
    public required IReadOnlyList<BackupDocument> Documents { get; init; }

    /// <summary>Consumer group committed positions.</summary>
    public required IReadOnlyList<BackupPosition> Positions { get; init; }
}

/// <summary>A topic: its policy and its active ranges (key bounds), which restore reproduces.</summary>
internal sealed record BackupTopic(string Name, BackupPolicy Policy, IReadOnlyList<BackupRange> ActiveRanges);

/// <summary>An active range at backup time.</summary>
internal sealed record BackupRange(ulong Id, ulong KeyStart, ulong KeyEnd);

/// <summary>A storage policy; null retention means none.</summary>
internal sealed record BackupPolicy(int ReplicationFactor, long? RetentionMs, long? RetentionBytes, long SegmentBytes, long SegmentAgeMs)
{
    public static BackupPolicy Of(StoragePolicy p) => new(p.ReplicationFactor, p.RetentionTime is { } t ? (long)t.TotalMilliseconds : null, p.RetentionBytes,
        p.SegmentBytes, (long)p.SegmentAge.TotalMilliseconds);

    public StoragePolicy ToPolicy() => new()
    {
        ReplicationFactor = ReplicationFactor,
        RetentionTime = RetentionMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        RetentionBytes = RetentionBytes,
        SegmentBytes = SegmentBytes,
        SegmentAge = TimeSpan.FromMilliseconds(SegmentAgeMs),
    };
}

/// <summary>An ACL entry.</summary>
internal sealed record BackupAcl(string Topic, string Principal, AclOperations Operations);

/// <summary>A document.</summary>
internal sealed record BackupDocument(string Key, long Version, string ContentBase64);

/// <summary>A consumer group's committed next offset in a range.</summary>
internal sealed record BackupPosition(string Group, string Topic, ulong Range, long Offset);

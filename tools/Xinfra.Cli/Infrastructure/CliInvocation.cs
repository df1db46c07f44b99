using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Security;

namespace Xinfra.Cli.Infrastructure;

/// <summary>One parsed command being run: its values, the global options and the output helpers.</summary>
internal sealed class CliInvocation(ParseResult parse, CliContext context)
{
    /// <summary>The parse result.</summary>
    public ParseResult Parse { get; } = parse;

    /// <summary>The writers.</summary>
    public CliContext Context { get; } = context;

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json => Parse.GetValue(GlobalOptions.Json);

    /// <summary>The <c>--timeout</c> for one cluster call.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(Math.Max(1, Parse.GetValue(GlobalOptions.Timeout)));

    /// <summary>The value of <paramref name="option"/>.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>The value of <paramref name="argument"/>.</summary>
    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>The value of a text <paramref name="argument"/>; blank is a usage error naming it.</summary>
    public string Required(Argument<string> argument) =>
        Parse.GetValue(argument) is { } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CliException($"<{argument.Name}> must not be empty.", ExitCodes.Usage);

    /// <summary>
    /// The bootstrap endpoints as <c>http://host:port</c> (<c>https://</c> with TLS), from <c>--bootstrap</c> or
    /// <c>XINFRA_BOOTSTRAP</c>.
    /// </summary>
    public IReadOnlyList<string> Bootstrap()
    {
        var text = Parse.GetValue(GlobalOptions.Bootstrap) ?? Environment.GetEnvironmentVariable("XINFRA_BOOTSTRAP");
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException("--bootstrap host:port[,host:port...] is required (or set XINFRA_BOOTSTRAP).", ExitCodes.Usage);
        }

        return BootstrapList.Parse(text, Security()?.Tls == true ? "https" : "http");
    }

    /// <summary>
    /// The channel security from <c>--token</c>/<c>XINFRA_TOKEN</c>, <c>--token-file</c>/<c>XINFRA_TOKEN_FILE</c>,
    /// <c>--tls</c> and <c>--ca-file</c>; null (plaintext, no token) when none is given. Errors name the option,
    /// never the token.
    /// </summary>
    public NorthguardClientSecurity? Security()
    {
        string? token = Parse.GetValue(GlobalOptions.Token) ?? Environment.GetEnvironmentVariable("XINFRA_TOKEN");
        string? tokenFile = Parse.GetValue(GlobalOptions.TokenFile) ?? Environment.GetEnvironmentVariable("XINFRA_TOKEN_FILE");
        string? caFile = Parse.GetValue(GlobalOptions.CaFile);
        bool tls = Parse.GetValue(GlobalOptions.Tls) || caFile is not null;
        if (string.IsNullOrWhiteSpace(token))
        {
            token = null;
        }

        if (string.IsNullOrWhiteSpace(tokenFile))
        {
            tokenFile = null;
        }

        if (tokenFile is not null && token is null && !File.Exists(tokenFile))
        {
            throw new CliException($"--token-file: the file '{tokenFile}' does not exist.", ExitCodes.Usage);
        }

        if (caFile is not null && !File.Exists(caFile))
        {
            throw new CliException($"--ca-file: the file '{caFile}' does not exist.", ExitCodes.Usage);
        }

        return token is null && tokenFile is null && !tls
            ? null
            : new NorthguardClientSecurity { Tls = tls, CaCertificateFile = caFile, Token = token, TokenFile = token is null ? tokenFile : null };
    }

    /// <summary>A metadata client on the bootstrap brokers with the <c>--timeout</c> and the channel security.</summary>
    public NorthguardMetadataClient MetadataClient() =>
        new(new NorthguardMetadataClientOptions { Bootstrap = Bootstrap(), Timeout = Timeout, Security = Security() });

    /// <summary>Data-path client options (consumer, producer, admin) on the bootstrap brokers with the channel security.</summary>
    public NorthguardClientOptions ClientOptions() => new() { Endpoints = Bootstrap(), Security = Security() };

    /// <summary>A token and ACL admin client on the bootstrap brokers with the channel security.</summary>
    public NorthguardAdminClient AdminClient() => new(ClientOptions());

    /// <summary>Writes <paramref name="result"/> as JSON with <c>--json</c>, else runs <paramref name="human"/>.</summary>
    public void Emit<T>(T result, Action<TextWriter> human)
    {
        if (Json)
        {
            Context.Out.WriteLine(JsonSerializer.Serialize(result, CliJson.Options));
        }
        else
        {
            human(Context.Out);
        }
    }

    /// <summary>A token cancelled by <paramref name="cancellationToken"/> or after the <c>--timeout</c>.</summary>
    public CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        return deadline;
    }

    /// <summary>A warning on stderr.</summary>
    public void Warn(string message) => Context.Error.WriteLine($"warning: {message}");

    /// <summary>A progress reporter on stderr.</summary>
    public ProgressBar Progress(string title) => new(Context, title);
}

/// <summary>Parses <c>host:port[,host:port…]</c>.</summary>
internal static class BootstrapList
{
    /// <summary>The endpoints as <c><paramref name="scheme"/>://host:port</c>; a bad entry is a usage error naming it.</summary>
    public static IReadOnlyList<string> Parse(string text, string scheme = "http")
    {
        var endpoints = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = part.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? part["http://".Length..]
                : part.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? part["https://".Length..] : part;
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new CliException($"--bootstrap: '{part}' is not host:port (port 1-65535).", ExitCodes.Usage);
            }

            endpoints.Add($"{scheme}://{entry[..colon]}:{port.ToString(CultureInfo.InvariantCulture)}");
        }

        return endpoints.Count > 0 ? endpoints : throw new CliException("--bootstrap: no host:port given.", ExitCodes.Usage);
    }
}

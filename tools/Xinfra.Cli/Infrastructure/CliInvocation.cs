using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Xinfra.Northguard.Metadata.Client;

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

    /// <summary>The bootstrap endpoints as <c>http://host:port</c>, from <c>--bootstrap</c> or <c>XINFRA_BOOTSTRAP</c>.</summary>
    public IReadOnlyList<string> Bootstrap()
    {
        var text = Parse.GetValue(GlobalOptions.Bootstrap) ?? Environment.GetEnvironmentVariable("XINFRA_BOOTSTRAP");
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException("--bootstrap host:port[,host:port...] is required (or set XINFRA_BOOTSTRAP).", ExitCodes.Usage);
        }

        return BootstrapList.Parse(text);
    }

    /// <summary>A metadata client on the bootstrap brokers with the <c>--timeout</c>.</summary>
    public NorthguardMetadataClient MetadataClient() =>
        new(new NorthguardMetadataClientOptions { Bootstrap = Bootstrap(), Timeout = Timeout });

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

    /// <summary>A warning on stderr.</summary>
    public void Warn(string message) => Context.Error.WriteLine($"warning: {message}");

    /// <summary>A progress reporter on stderr.</summary>
    public ProgressBar Progress(string title) => new(Context, title);
}

/// <summary>Parses <c>host:port[,host:port…]</c>.</summary>
internal static class BootstrapList
{
    /// <summary>The endpoints as <c>http://host:port</c>; a bad entry is a usage error naming it.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        var endpoints = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = part.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? part["http://".Length..] : part;
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new CliException($"--bootstrap: '{part}' is not host:port (port 1-65535).", ExitCodes.Usage);
            }

            endpoints.Add($"http://{entry[..colon]}:{port.ToString(CultureInfo.InvariantCulture)}");
        }

        return endpoints.Count > 0 ? endpoints : throw new CliException("--bootstrap: no host:port given.", ExitCodes.Usage);
    }
}

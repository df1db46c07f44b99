using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Cli.Infrastructure;
using Xinfra.Routing;

namespace Xinfra.Cli.Commands.Migration;

/// <summary>
/// An appsettings file loaded the way a service loads it: bound to <see cref="XinfraOptions"/> under the Xinfra
/// section and validated by the client's own <see cref="XinfraConfigurationMonitor"/> (Kafka, Northguard and in-memory
/// cluster kinds known). Disposing releases the transports.
/// </summary>
internal sealed class XinfraConfigFile : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private XinfraConfigFile(string path, ServiceProvider services, XinfraConfigurationMonitor monitor)
    {
        Path = path;
        _services = services;
        Monitor = monitor;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The validated configuration of the file.</summary>
    public XinfraConfigurationMonitor Monitor { get; }

    /// <summary>The services (transports) built from the file.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Loads and validates <paramref name="path"/>; an invalid file is an error listing the problems.</summary>
    public static XinfraConfigFile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliException($"--config: '{path}' does not exist.", ExitCodes.Usage);
        }

        return Load(full, new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build());
    }

    /// <summary>
    /// Loads and validates a config-service document (the JSON of the Xinfra section, see
    /// <see cref="Wrap"/>); <paramref name="label"/> names it in messages.
    /// </summary>
    public static XinfraConfigFile LoadDocument(string label, byte[] wrapped)
    {
        using var stream = new MemoryStream(wrapped);
        return Load(label, new ConfigurationBuilder().AddJsonStream(stream).Build());
    }

    /// <summary>A config-service document (the section's JSON) as the text of an appsettings file holding it.</summary>
    public static byte[] Wrap(string document) => System.Text.Encoding.UTF8.GetBytes($"{{\"{XinfraOptions.SectionName}\":{document}}}");

    /// <summary>The document inside a text made by <see cref="Wrap"/> (and edited inside the section only).</summary>
    public static string Unwrap(byte[] wrapped)
    {
        var text = System.Text.Encoding.UTF8.GetString(wrapped);
        var prefix = $"{{\"{XinfraOptions.SectionName}\":";
        return text[prefix.Length..^1];
    }

    private static XinfraConfigFile Load(string label, IConfiguration configuration)
    {
        string path = label;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddXinfra(configuration.GetSection(XinfraOptions.SectionName)).AddKafka().AddNorthguard().AddInMemory();
        var provider = services.BuildServiceProvider();
        try
        {
            return new XinfraConfigFile(path, provider, provider.GetRequiredService<XinfraConfigurationMonitor>());
        }
        catch (XinfraConfigurationException e)
        {
            provider.Dispose();
            throw new CliException($"'{path}': {e.Message}");
        }
    }

    /// <summary>Binds the Xinfra section of a JSON text (for a proposed edit).</summary>
    public static XinfraOptions Bind(byte[] json)
    {
        using var stream = new MemoryStream(json);
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        return configuration.GetSection(XinfraOptions.SectionName).Get<XinfraOptions>() ?? new XinfraOptions();
    }

    /// <summary>The route of <paramref name="topic"/>; an unknown topic is an error naming the configured ones.</summary>
    public TopicRoute Route(string topic)
    {
        try
        {
            return Monitor.Current.Route(topic);
        }
        catch (UnknownTopicException e)
        {
            throw new CliException($"'{Path}': {e.Message}");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Server;
using Xinfra.Northguard.Server.Configuration;

// northguard-server --config broker.json [Northguard:Port=9093 ...]
// Settings come from the file named by --config (or XINFRA_NORTHGUARD_CONFIG), then environment variables prefixed
// NORTHGUARD_ (Northguard__BrokerId → NORTHGUARD_Northguard__BrokerId), then the command line.
var configFile = ConfigFile(args) ?? Environment.GetEnvironmentVariable("XINFRA_NORTHGUARD_CONFIG");
if (configFile is null || !File.Exists(configFile))
{
    await Console.Error.WriteLineAsync(configFile is null
        ? "northguard-server: no configuration file; run with --config <file.json> (see northguard.example.json)."
        : $"northguard-server: configuration file '{configFile}' does not exist.").ConfigureAwait(false);
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.Sources.Clear();
builder.Configuration
    .AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false)
    .AddEnvironmentVariables("NORTHGUARD_")
    .AddCommandLine(args.Where((a, i) => a != "--config" && (i == 0 || args[i - 1] != "--config")).ToArray());
var options = new NorthguardServerOptions();
try
{
    builder.Configuration.GetSection(NorthguardServerOptions.SectionName).Bind(options);
}
catch (InvalidOperationException e)
{
    await Console.Error.WriteLineAsync($"northguard-server: {configFile}: {e.Message}").ConfigureAwait(false);
    return 2;
}

var errors = NorthguardServerOptionsValidator.Validate(options);
if (errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"northguard-server: {configFile} is not a valid broker configuration:").ConfigureAwait(false);
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync($"  - {error}").ConfigureAwait(false);
    }

    return 2;
}

builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<BrokerHostedService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<BrokerHostedService>());
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

using var host = builder.Build();
try
{
    await host.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"northguard-server: broker {options.BrokerId} could not start: {e.Message}").ConfigureAwait(false);
    return 1;
}

static string? ConfigFile(string[] args)
{
    var at = Array.IndexOf(args, "--config");
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

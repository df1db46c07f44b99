using Xinfra;
using Xinfra.Northguard.Cluster;
using Xinfra.Samples.Worker;

var builder = Host.CreateApplicationBuilder(args);

// By default the sample brings its own cluster: three Northguard brokers in this process on loopback ports, with
// their data in a temp folder deleted on exit. A cluster whose bootstrap is "embedded" is pointed at it.
var brokers = builder.Configuration.GetValue("Sample:EmbeddedNorthguardBrokers", 3);
await using var embedded = brokers > 0 ? await NorthguardCluster.StartEmbeddedAsync(brokers) : null;
if (embedded is not null)
{
    foreach (var cluster in builder.Configuration.GetSection("Xinfra:Clusters").GetChildren())
    {
        if (cluster["Bootstrap"] == "embedded")
        {
            builder.Configuration[$"{cluster.Path}:Bootstrap"] = embedded.Bootstrap;
        }
    }
}

builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection("Sample"));
builder.Services.AddXinfra(builder.Configuration.GetSection(XinfraOptions.SectionName)).AddNorthguard().AddInMemory();
builder.Services.AddHostedService<OrdersWorker>();

// Off by default so the output stays readable: run with Telemetry:Console=true to see metrics and spans.
builder.Services.AddSampleTelemetry(builder.Configuration);
await builder.Build().RunAsync();

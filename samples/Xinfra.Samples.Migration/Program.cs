using Xinfra;
using Xinfra.Samples.Migration;

// The migration walkthrough: run it, then edit "Phase" in appsettings.json one step at a time
// (SourceOnly -> DualWriteReadSource -> DualWriteReadTarget -> TargetOnly, and back). The console shows where the
// service writes and reads, its throughput, the gate's divergence, and any record lost or delivered twice.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddXinfra(builder.Configuration.GetSection(XinfraOptions.SectionName))
    .AddInMemory()
    .AddMigrationGate(o =>
    {
        o.Interval = TimeSpan.FromSeconds(5);
        o.Window = TimeSpan.FromSeconds(20);
        o.Lag = TimeSpan.FromSeconds(2);
    });
builder.Services.AddSingleton<Tally>();
builder.Services.AddHostedService<OrderProducer>();
builder.Services.AddHostedService<OrderConsumer>();
builder.Services.AddHostedService<Backfill>();
builder.Services.AddHostedService<Dashboard>();
await builder.Build().RunAsync();

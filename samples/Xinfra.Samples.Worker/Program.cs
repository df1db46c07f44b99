using Xinfra;
using Xinfra.Samples.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection("Sample"));
builder.Services.AddXinfra(builder.Configuration.GetSection(XinfraOptions.SectionName)).AddInMemory();
builder.Services.AddHostedService<OrdersWorker>();
await builder.Build().RunAsync();

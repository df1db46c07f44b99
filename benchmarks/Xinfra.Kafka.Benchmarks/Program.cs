using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Xinfra.Kafka.Benchmarks;

// Every benchmark runs in this process against one shared librdkafka mock cluster, so raw Confluent.Kafka and
// Xinfra see the same broker. Usage: dotnet run -c Release --project benchmarks/Xinfra.Kafka.Benchmarks -- --filter '*'
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(2)
        .WithIterationCount(20)
        .WithInvocationCount(1)
        .WithUnrollFactor(1))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.Median)
    .WithOptions(ConfigOptions.JoinSummary);
try
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCluster).Assembly).Run(args, config);
}
finally
{
    BenchmarkCluster.Shutdown();
}

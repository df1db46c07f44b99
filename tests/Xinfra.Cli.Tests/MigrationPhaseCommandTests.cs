namespace Xinfra.Cli.Tests;

public sealed class MigrationPhaseCommandTests : IDisposable
{
    private const string Settings = """
        {
          // Service settings; the comment and the Logging section must survive an edit.
          "Logging": { "LogLevel": { "Default": "Information" } },
          "Xinfra": {
            "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "local" } },
            "Topics": {
              "orders": {
                "Epochs": [ { "Cluster": "mem", "Topic": "orders-v1" }, { "Cluster": "mem", "Topic": "orders-v2" } ],
                "Phase": "SourceOnly"
              },
              "payments": {
                "Epochs": [ { "Cluster": "mem", "Topic": "payments-v1" }, { "Cluster": "mem", "Topic": "payments-v2" } ]
              }
            }
          }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("xinfra-cli-phase-").FullName;

    private string File(string content = Settings)
    {
        var path = Path.Combine(_folder, "appsettings.json");
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task PhaseSet_SkipsAPhase_RefusedAndFileUnchanged()
    {
        var path = File();
        var result = await Cli.RunAsync("migration", "phase", "set", "orders", "DualWriteReadTarget", "--config", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("skips a phase", result.Error, StringComparison.Ordinal);
        Assert.Contains("Xinfra:Topics:orders:Phase", result.Error, StringComparison.Ordinal);
        Assert.Equal(Settings, System.IO.File.ReadAllText(path));
    }

    [Fact]
    public async Task PhaseSet_OneStep_WrittenKeepingCommentsAndOtherSections()
    {
        var path = File();
        var result = await Cli.RunAsync("migration", "phase", "set", "orders", "DualWriteReadSource", "--config", path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Json().GetProperty("written").GetBoolean());
        var written = System.IO.File.ReadAllText(path);
        Assert.Equal(Settings.Replace("\"Phase\": \"SourceOnly\"", "\"Phase\": \"DualWriteReadSource\"", StringComparison.Ordinal), written);

        var get = await Cli.RunAsync("migration", "phase", "get", "orders", "--config", path, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        var json = get.Json();
        Assert.Equal("DualWriteReadSource", json.GetProperty("phase").GetString());
        Assert.Equal("DualWriteReadTarget", json.GetProperty("next").GetString());
        Assert.Equal("SourceOnly", json.GetProperty("back").GetString());
    }

    [Fact]
    public async Task PhaseSet_TopicWithoutPhaseProperty_InsertsIt()
    {
        var path = File();
        var result = await Cli.RunAsync("migration", "phase", "set", "payments", "DualWriteReadSource", "--config", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var get = await Cli.RunAsync("migration", "phase", "get", "payments", "--config", path, "--json");
        Assert.Equal("DualWriteReadSource", get.Json().GetProperty("phase").GetString());
        Assert.Contains("// Service settings", System.IO.File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PhaseGet_UnknownTopic_FailsNamingConfiguredTopics()
    {
        var result = await Cli.RunAsync("migration", "phase", "get", "refunds", "--config", File());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("refunds", result.Error, StringComparison.Ordinal);
        Assert.Contains("orders", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PhaseSet_UnknownPhase_UsageError()
    {
        var result = await Cli.RunAsync("migration", "phase", "set", "orders", "Sideways", "--config", File());

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("Sideways", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

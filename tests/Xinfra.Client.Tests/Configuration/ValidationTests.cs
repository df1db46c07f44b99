using Xinfra.Client.Tests.Support;
using Xinfra.Routing;

namespace Xinfra.Client.Tests.Configuration;

public sealed class ValidationTests
{
    private static XinfraConfigurationException Invalid(string xinfraBody)
    {
        var json = $$"""{ "Xinfra": { {{xinfraBody}} } }""";
        var host = TestHost.FromJson(json);
        try
        {
            return Assert.Throws<XinfraConfigurationException>(() => _ = host.Configuration);
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private const string Mem = """ "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "m" } } """;

    [Fact]
    public void Cluster_MissingBootstrap_NamesClusterAndField()
    {
        var error = Invalid(""" "Clusters": { "kafka-a": { "Kind": "InMemory" } } """);
        Assert.Contains("Xinfra:Clusters:kafka-a:Bootstrap", error.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrap address is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_DefaultPartitionsOutOfRange_NamesField()
    {
        var error = Invalid(""" "Clusters": { "c1": { "Kind": "InMemory", "Bootstrap": "x", "DefaultPartitions": 0 } } """);
        Assert.Contains("Xinfra:Clusters:c1:DefaultPartitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_KindWithoutTransport_SaysWhichAddCallIsMissing()
    {
        var error = Invalid(""" "Clusters": { "k": { "Kind": "Kafka", "Bootstrap": "x:9092" } } """);
        Assert.Contains("Xinfra:Clusters:k:Kind", error.Message, StringComparison.Ordinal);
        Assert.Contains(".AddKafka()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_UnknownSecurityProfile_NamesProfile()
    {
        var error = Invalid(""" "Clusters": { "c": { "Kind": "InMemory", "Bootstrap": "x", "SecurityProfile": "strict" } } """);
        Assert.Contains("Xinfra:Clusters:c:SecurityProfile", error.Message, StringComparison.Ordinal);
        Assert.Contains("'strict'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_UnknownCluster_NamesTopicEpochAndCluster()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Epochs": [ { "Cluster": "mem" }, { "Cluster": "nope" } ], "Phase": "DualWriteReadSource" } } """);
        Assert.Contains("Xinfra:Topics:orders:Epochs:1:Cluster", error.Message, StringComparison.Ordinal);
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_PhaseWithoutTarget_NamesPhase()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "Phase": "DualWriteReadTarget" } } """);
        Assert.Contains("Xinfra:Topics:orders:Phase", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs a target epoch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_PrimaryAckWithoutOutbox_NamesTheOutboxPathField()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "DualWriteAck": "Primary" } } """);
        Assert.Contains("Xinfra:Topics:orders:OutboxPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("DualWriteAck Primary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_OutboxMaxBytesNotPositive_Refused()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "DualWriteAck": "Primary", "OutboxPath": "/tmp/x", "OutboxMaxBytes": 0 } } """);
        Assert.Contains("Xinfra:Topics:orders:OutboxMaxBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_NoCluster_SaysWhatIsExpected()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Phase": "SourceOnly" } } """);
        Assert.Contains("Xinfra:Topics:orders:Epochs", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected Cluster or at least one entry in Epochs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_ShorthandAndEpochs_Refused()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "Epochs": [ { "Cluster": "mem" } ] } } """);
        Assert.Contains("Xinfra:Topics:orders:Cluster: set either", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_InvalidPhysicalName_NamesField()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "Topic": "bad name!" } } """);
        Assert.Contains("Xinfra:Topics:orders:Topic", error.Message, StringComparison.Ordinal);
        Assert.Contains("'bad name!'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_InvalidLogicalName_NamesTopic()
    {
        var error = Invalid(Mem + """, "Topics": { "orders/eu": { "Cluster": "mem" } } """);
        Assert.Contains("Xinfra:Topics:orders/eu", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid topic name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Epoch_PartitionsOutOfRange_NamesEpochField()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Epochs": [ { "Cluster": "mem", "Partitions": -1 } ] } } """);
        Assert.Contains("Xinfra:Topics:orders", error.Message, StringComparison.Ordinal);
        Assert.Contains("Partitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplicationId_Invalid_NamesField()
    {
        var error = Invalid(""" "ApplicationId": "has spaces" """);
        Assert.Contains("Xinfra:ApplicationId", error.Message, StringComparison.Ordinal);
        Assert.Contains("letters, digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Phase_UnknownName_NamesPath()
    {
        var error = Invalid(Mem + """, "Topics": { "orders": { "Cluster": "mem", "Phase": "Sideways" } } """);
        Assert.Contains("Xinfra:Topics:orders:Phase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralProblems_AllReportedAtOnce()
    {
        var error = Invalid(""" "Clusters": { "a": { "Kind": "InMemory" } }, "Topics": { "t": { "Cluster": "b" } } """);
        Assert.Contains("Xinfra:Clusters:a:Bootstrap", error.Message, StringComparison.Ordinal);
        Assert.Contains("Xinfra:Topics:t:Cluster", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_ValidOptions_Succeeds()
    {
        var options = new XinfraOptions
        {
            Clusters = { ["mem"] = new ClusterOptions { Bootstrap = "m" } },
            Topics = { ["orders"] = new TopicOptions { Cluster = "mem" } },
        };
        Assert.True(new XinfraOptionsValidator().Validate(null, options).Succeeded);
        Assert.NotNull(new XinfraSnapshot(options, 1).Route("orders"));
    }
}

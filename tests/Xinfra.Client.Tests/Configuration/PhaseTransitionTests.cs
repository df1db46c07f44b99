using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Configuration;

public sealed class PhaseTransitionTests
{

    [Theory]
    [InlineData("SourceOnly", "DualWriteReadSource")]
    [InlineData("DualWriteReadSource", "DualWriteReadTarget")]
    [InlineData("DualWriteReadTarget", "TargetOnly")]
    [InlineData("TargetOnly", "DualWriteReadTarget")]
    [InlineData("DualWriteReadTarget", "DualWriteReadSource")]
    [InlineData("DualWriteReadSource", "SourceOnly")]
    public async Task OneStep_ForwardOrBack_IsApplied(string from, string to)
    {
        await using var host = TestHost.FromJson(TestHost.Migrating(from));
        Assert.True(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating(to)), out var errors), errors);
        Assert.Equal(Enum.Parse<MigrationPhase>(to), host.Configuration.Current.Route("orders").Phase);
    }

    [Theory]
    [InlineData("SourceOnly", "DualWriteReadTarget")]
    [InlineData("SourceOnly", "TargetOnly")]
    [InlineData("DualWriteReadSource", "TargetOnly")]
    [InlineData("TargetOnly", "DualWriteReadSource")]
    public async Task SkippingAPhase_IsRefused_AndNamesTheAllowedSteps(string from, string to)
    {
        await using var host = TestHost.FromJson(TestHost.Migrating(from));
        Assert.False(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating(to)), out var errors));
        Assert.Contains($"Xinfra:Topics:orders:Phase: {from} -> {to} skips a phase", errors, StringComparison.Ordinal);
        Assert.Equal(Enum.Parse<MigrationPhase>(from), host.Configuration.Current.Route("orders").Phase);
    }

    [Fact]
    public async Task ChangingTheTargetWhileDualWriting_IsRefused()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        var moved = TestHost.Migrating("DualWriteReadSource").Replace("\"Topic\": \"orders.ng\"", "\"Topic\": \"orders.ng2\"", StringComparison.Ordinal);
        Assert.False(host.Configuration.TryApply(TestHost.Options(moved), out var errors));
        Assert.Contains("Xinfra:Topics:orders:Epochs: the source or target epoch cannot change while the topic is in DualWriteReadSource", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewTargetAfterTargetOnly_StartsOverAtSourceOnly()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("TargetOnly"));
        var next = TestHost.Migrating("SourceOnly").Replace(
            "{ \"Cluster\": \"new\", \"Topic\": \"orders.ng\" } ]",
            "{ \"Cluster\": \"new\", \"Topic\": \"orders.ng\" }, { \"Cluster\": \"old\", \"Topic\": \"orders.back\" } ]",
            StringComparison.Ordinal);
        Assert.True(host.Configuration.TryApply(TestHost.Options(next), out var errors), errors);
        var route = host.Configuration.Current.Route("orders");
        Assert.Equal(("new", "orders.ng"), (route.Source.Cluster, route.Source.Name));
        Assert.Equal("new", Assert.Single(route.WriteTo).Cluster);
    }
}

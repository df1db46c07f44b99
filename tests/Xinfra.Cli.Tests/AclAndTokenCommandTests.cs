using System.Security.Cryptography;
using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Security;

namespace Xinfra.Cli.Tests;

/// <summary>An embedded 3-broker cluster with tokens and ACLs enforced (plaintext listeners) and a 300 ms security cache.</summary>
public sealed class SecuredClusterFixture : IAsyncLifetime
{
    public string ClusterToken { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>A file holding <see cref="ClusterToken"/>, for <c>--token-file</c>.</summary>
    public string ClusterTokenFile { get; } = Path.Combine(Path.GetTempPath(), $"xinfra-cli-token-{Guid.NewGuid():N}");

    public NorthguardCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ClusterTokenFile, ClusterToken);
        Cluster = await NorthguardCluster.StartEmbeddedAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            Security = new BrokerSecurityOptions { ClusterToken = ClusterToken, CacheTtl = TimeSpan.FromMilliseconds(300) },
        });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        File.Delete(ClusterTokenFile);
    }

    /// <summary>A data-path producer authenticating with <paramref name="token"/>.</summary>
    public NorthguardProducerClient Producer(string token) => new(new NorthguardClientOptions
    {
        Endpoints = [.. Cluster.Brokers.Select(b => b.Endpoint)],
        Security = new NorthguardClientSecurity { Token = token },
        MaxRetries = 1,
    });
}

public sealed class AclAndTokenCommandTests(SecuredClusterFixture fixture) : IClassFixture<SecuredClusterFixture>
{
    private string Bootstrap => fixture.Cluster.Bootstrap;

    private Task<CliResult> AsAdminAsync(params string[] args) => Cli.RunAsync([.. args, "-b", Bootstrap, "--token-file", fixture.ClusterTokenFile]);

    [Fact]
    public async Task IssueGrantProduceRevoke_EndToEnd()
    {
        string granted = $"granted-{Guid.NewGuid():N}"[..20], other = $"other-{Guid.NewGuid():N}"[..20];
        foreach (var topic in new[] { granted, other })
        {
            // Existing commands authenticate with the global --token-file too.
            var create = await AsAdminAsync("topics", "create", topic, "-r", "3", "--retention", "1h", "--throughput-mbps", "0.001");
            Assert.True(create.ExitCode == 0, create.ToString());
        }

        var issue = await AsAdminAsync("token", "issue", "app-orders", "--json");
        Assert.True(issue.ExitCode == 0, issue.ToString());
        Assert.Contains("shown only once", issue.Error, StringComparison.Ordinal);
        var issued = issue.Json();
        string token = issued.GetProperty("token").GetString()!, id = issued.GetProperty("id").GetString()!;
        Assert.StartsWith($"ngt.{id}.", token, StringComparison.Ordinal);
        Assert.Equal("app-orders", issued.GetProperty("application").GetString());
        Assert.False(issued.GetProperty("clusterAdmin").GetBoolean());

        var grant = await AsAdminAsync("acl", "grant", granted, "app-orders", "produce");
        Assert.True(grant.ExitCode == 0, grant.ToString());
        Assert.Contains("may now Produce", grant.Out, StringComparison.Ordinal);

        var list = await AsAdminAsync("acl", "list", granted, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var entry = Assert.Single(list.Json().EnumerateArray());
        Assert.Equal("app-orders", entry.GetProperty("principal").GetString());
        Assert.Equal(["Produce"], entry.GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
        var human = await AsAdminAsync("acl", "list", granted);
        Assert.Contains("app-orders  Produce", human.Out, StringComparison.Ordinal);

        // The application's token produces on the granted topic (other brokers may hold the old ACL for one cache TTL) ...
        await Cli.EventuallyAsync(async () => await TryProduceAsync(token, granted) ? "ok" : null, "the granted producer to be accepted");

        // ... and is denied on the other topic.
        await using (var producer = fixture.Producer(token))
        {
            var denied = await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(other, Record("x")).AsTask());
            Assert.Equal("app-orders", denied.Principal);
            Assert.DoesNotContain(token, denied.Message, StringComparison.Ordinal);
        }

        var tokens = await AsAdminAsync("token", "list", "--json");
        Assert.True(tokens.ExitCode == 0, tokens.ToString());
        var listed = tokens.Json().EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
        Assert.Equal("app-orders", listed.GetProperty("application").GetString());
        Assert.True(listed.GetProperty("active").GetBoolean());
        Assert.False(listed.TryGetProperty("token", out _));
        Assert.DoesNotContain(token, tokens.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], tokens.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.ClusterToken, tokens.Out + tokens.Error, StringComparison.Ordinal);

        var revoke = await AsAdminAsync("token", "revoke", id, "--json");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.False(revoke.Json().GetProperty("active").GetBoolean());
        await Cli.EventuallyAsync(async () => await TryProduceAsync(token, granted) ? null : "denied", "the revoked token to be refused");
    }

    [Fact]
    public async Task AclRevoke_RemovesTheGrant()
    {
        string topic = $"revoke-{Guid.NewGuid():N}"[..20];
        Assert.Equal(0, (await AsAdminAsync("topics", "create", topic, "-r", "3", "--retention", "1h", "--throughput-mbps", "0.001")).ExitCode);

        Assert.Equal(0, (await AsAdminAsync("acl", "grant", topic, "app-a", "Consume,Describe")).ExitCode);
        var widened = await AsAdminAsync("acl", "grant", topic, "app-a", "Produce", "--json");
        Assert.Equal(["Produce", "Consume", "Describe"], widened.Json().GetProperty("operations").EnumerateArray().Select(o => o.GetString()));

        var revoke = await AsAdminAsync("acl", "revoke", topic, "app-a");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        var list = await AsAdminAsync("acl", "list", topic, "--json");
        Assert.Empty(list.Json().EnumerateArray());
    }

    [Fact]
    public async Task BadOperationOrBadToken_ClearErrorWithoutSecret()
    {
        var bad = await AsAdminAsync("acl", "grant", "some-topic", "app-a", "Write");
        Assert.Equal(64, bad.ExitCode);
        Assert.Contains("'Write' is not an ACL operation", bad.Error, StringComparison.Ordinal);

        string wrong = "ngt.0123456789abcdef." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var denied = await Cli.RunAsync("token", "list", "-b", Bootstrap, "--token", wrong);
        Assert.True(denied.ExitCode == 2, denied.ToString());
        Assert.StartsWith("error:", denied.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Split('.')[2], denied.Out + denied.Error, StringComparison.Ordinal);

        var noToken = await Cli.RunAsync("topics", "list", "-b", Bootstrap);
        Assert.True(noToken.ExitCode == 2, noToken.ToString());

        var blank = await AsAdminAsync("token", "issue", " ");
        Assert.Equal(64, blank.ExitCode);
        Assert.Contains("<application> must not be empty", blank.Error, StringComparison.Ordinal);

        var missingFile = await Cli.RunAsync("token", "list", "-b", Bootstrap, "--token-file", "/nonexistent/xinfra-token");
        Assert.Equal(64, missingFile.ExitCode);
        Assert.Contains("--token-file", missingFile.Error, StringComparison.Ordinal);
    }

    private async Task<bool> TryProduceAsync(string token, string topic)
    {
        await using var producer = fixture.Producer(token);
        try
        {
            await producer.ProduceAsync(topic, Record("x"));
            return true;
        }
        catch (AuthorizationException)
        {
            return false;
        }
    }

    private static NorthguardRecord Record(string value) => new(Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(value));
}

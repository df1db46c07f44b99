using System.Diagnostics.Metrics;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using static Xinfra.Northguard.Tests.Security.SecurityTestKit;

namespace Xinfra.Northguard.Tests.Security;

public sealed class AuthorizationTests(SecureClusterFixture secure) : IClassFixture<SecureClusterFixture>
{
    [Fact]
    public async Task Produce_WrongToken_DeniedAsAuthenticationFailureWithoutTheToken()
    {
        string topic = await secure.CreateTopicAsync("wrong");
        string forged = "ngt.0123456789abcdef." + Convert.ToBase64String(new byte[32]).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        await using var producer = new NorthguardProducerClient(secure.ClientOptions(forged, maxRetries: 1));
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(topic, Record("x")).AsTask());
        Assert.True(error.IsAuthenticationFailure);
        Assert.Equal(topic, error.Topic);
        Assert.Contains("token 0123456789abcdef is unknown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(forged, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_NoToken_DeniedAsAuthenticationFailure()
    {
        string topic = await secure.CreateTopicAsync("notoken");
        await using var producer = new NorthguardProducerClient(secure.ClientOptions(null, maxRetries: 1));
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(topic, Record("x")).AsTask());
        Assert.True(error.IsAuthenticationFailure);
        Assert.Contains("no token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_MissingAcl_DeniedNamingApplicationTopicAndOperation_ThenAllowedAfterGrant()
    {
        string topic = await secure.CreateTopicAsync("acl");
        var token = await secure.OnboardAsync("app-billing", topic, AclOperations.Consume);
        await using (var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token, maxRetries: 1)))
        {
            var error = await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(topic, Record("x")).AsTask());
            Assert.False(error.IsAuthenticationFailure);
            Assert.Equal("app-billing", error.Principal);
            Assert.Equal(topic, error.Topic);
            Assert.Equal("Produce", error.Operation);
            Assert.Contains($"Application 'app-billing' may not Produce on topic '{topic}'", error.Message, StringComparison.Ordinal);
        }

        using (var admin = secure.Admin())
        {
            await admin.SetAclAsync(topic, "app-billing", AclOperations.Produce | AclOperations.Consume);
            Assert.Equal(AclOperations.Produce | AclOperations.Consume, await admin.GetAclAsync(topic, "app-billing"));
            var listed = Assert.Single(await admin.ListAclsAsync(topic));
            Assert.Equal(new Xinfra.Northguard.Metadata.Model.AclEntry(topic, "app-billing", AclOperations.Produce | AclOperations.Consume), listed);
        }

        // Other brokers may hold the old ACL for one cache TTL (300 ms here).
        await EventuallyAsync(async () =>
        {
            await using var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token, maxRetries: 1));
            try
            {
                await producer.ProduceAsync(topic, Record("granted"));
                return true;
            }
            catch (AuthorizationException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "the granted producer is accepted");
    }

    [Fact]
    public async Task Consume_RevokedToken_Denied()
    {
        string topic = await secure.CreateTopicAsync("revoke");
        var token = await secure.OnboardAsync("app-revoked", topic, AclOperations.Produce | AclOperations.Consume);
        await using (var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token)))
        {
            await producer.ProduceAsync(topic, Record("before"));
        }

        using (var admin = secure.Admin())
        {
            var revoked = await admin.RevokeTokenAsync(token.Info.Id);
            Assert.False(revoked.IsActive);
            var listed = Assert.Single(await admin.ListTokensAsync("app-revoked"));
            Assert.Equal(token.Info.Id, listed.Id);
            Assert.False(listed.IsActive);
        }

        AuthorizationException? denied = null;
        await EventuallyAsync(async () =>
        {
            await using var consumer = new NorthguardConsumerClient(secure.ClientOptions(token.Token, maxRetries: 1));
            try
            {
                await ReadAsync(consumer, topic, 1);
                return false;
            }
            catch (AuthorizationException e)
            {
                denied = e;
                return true;
            }
        }, TimeSpan.FromSeconds(20), "the revoked token is refused");
        Assert.True(denied!.IsAuthenticationFailure);
        Assert.Contains("was revoked", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueToken_ApplicationToken_IsNotClusterAdmin()
    {
        string topic = await secure.CreateTopicAsync("admin");
        var token = await secure.OnboardAsync("app-plain-admin", topic, AclOperations.Produce);
        using var admin = new NorthguardAdminClient(secure.ClientOptions(token.Token));
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => admin.IssueTokenAsync("escalated"));
        Assert.Equal("app-plain-admin", error.Principal);
        Assert.Contains("cluster-admin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Denials_WrongTokenAndMissingAcl_AuditedAndCountedWithoutSecretsInLogsOrToString()
    {
        long denied = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "xinfra.security.denied")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref denied, value));
        listener.Start();

        string topic = await secure.CreateTopicAsync("audit");
        var token = await secure.OnboardAsync("app-audited", topic, AclOperations.Describe);
        string wrong = token.Token[..^4] + (token.Token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        await using (var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token, maxRetries: 1)))
        {
            await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(topic, Record("x")).AsTask());
        }

        await using (var producer = new NorthguardProducerClient(secure.ClientOptions(wrong, maxRetries: 1)))
        {
            await Assert.ThrowsAsync<AuthorizationException>(() => producer.ProduceAsync(topic, Record("x")).AsTask());
        }

        Assert.True(Interlocked.Read(ref denied) >= 2);
        var events = secure.Logs.Events.ToArray();
        Assert.Contains(events, e => e.Id.Id == 9001 && e.Text.Contains("app-audited", StringComparison.Ordinal) && e.Text.Contains(topic, StringComparison.Ordinal));
        Assert.Contains(events, e => e.Id.Id == 9002 && e.Text.Contains(token.Info.Id, StringComparison.Ordinal));
        string[] secrets = [token.Token, wrong, token.Token[(4 + 16 + 1)..], wrong[(4 + 16 + 1)..], secure.ClusterToken];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(events, e => e.Text.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, token.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, secure.SecurityOptions.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, secure.ClientSecurity(token.Token).ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, secure.ClientOptions(token.Token).ToString(), StringComparison.Ordinal);
        }
    }
}

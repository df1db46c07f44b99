using Xinfra.Kafka.Tests.Infrastructure;

namespace Xinfra.Kafka.Tests.Security;

public sealed class OAuthBearerTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task OAuthBearerProfile_ClientStarts_AsksTheProviderForAToken()
    {
        var asked = new TaskCompletionSource<KafkaTokenRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var profile = new SecurityProfileOptions { SaslMechanism = "OAUTHBEARER" };

        await using var transport = cluster.CreateTransport(security: profile, configure: o => o.OAuthTokenProvider = (request, _) =>
        {
            asked.TrySetResult(request);
            return ValueTask.FromResult(new KafkaOAuthToken("token", DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        });

        var request = await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("test-cluster", request.Cluster);
        Assert.Equal("xinfra-tests", request.ApplicationId);
    }
}

using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Transport;

namespace Xinfra.Kafka.Tests.Security;

public sealed class KafkaClientConfigsTests
{
    [Fact]
    public void Producer_Always_IdempotentWithAcksAllEvenIfSettingsSayOtherwise()
    {
        var context = Context(settings: new() { ["acks"] = "1", ["enable.idempotence"] = "false", ["linger.ms"] = "20" });

        var config = KafkaClientConfigs.Producer(context, new KafkaTransportOptions());

        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(20, config.LingerMs);
        Assert.Equal("broker:9092", config.BootstrapServers);
        Assert.Equal("app-1", config.ClientId);
    }

    [Fact]
    public void Consumer_Always_CooperativeStickyWithExplicitCommits()
    {
        var spec = new ConsumerSpec { GroupId = "g", Topics = [new PhysicalTopic("l", "c", "p")], AutoOffsetReset = Transport.AutoOffsetReset.Latest, ClientId = "member-1" };

        var config = KafkaClientConfigs.Consumer(Context(), new KafkaTransportOptions(), spec);

        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(Confluent.Kafka.AutoOffsetReset.Latest, config.AutoOffsetReset);
        Assert.Equal("g", config.GroupId);
        Assert.Equal("member-1", config.ClientId);
    }

    [Fact]
    public void Security_TlsWithScram_MapsToSaslSsl()
    {
        var profile = new SecurityProfileOptions
        {
            Tls = true,
            CaCertificateFile = "/etc/ca.pem",
            SaslMechanism = "SCRAM-SHA-512",
            Username = "svc",
            Password = "s3cret",
        };

        var config = KafkaClientConfigs.Producer(Context(profile), new KafkaTransportOptions());

        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("svc", config.SaslUsername);
        Assert.Equal("s3cret", config.SaslPassword);
        Assert.Equal("/etc/ca.pem", config.SslCaLocation);
    }

    [Fact]
    public void Security_PlainWithoutTls_MapsToSaslPlaintext()
    {
        var profile = new SecurityProfileOptions { SaslMechanism = "plain", Username = "u", Password = "p" };

        var config = KafkaClientConfigs.Admin(Context(profile), new KafkaTransportOptions());

        Assert.Equal(SecurityProtocol.SaslPlaintext, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.Plain, config.SaslMechanism);
    }

    [Fact]
    public void Security_MutualTls_MapsCertificateAndKey()
    {
        var profile = new SecurityProfileOptions { Tls = true, ClientCertificateFile = "/c.pem", ClientKeyFile = "/k.pem" };

        var config = KafkaClientConfigs.Producer(Context(profile), new KafkaTransportOptions());

        Assert.Equal(SecurityProtocol.Ssl, config.SecurityProtocol);
        Assert.Equal("/c.pem", config.SslCertificateLocation);
        Assert.Equal("/k.pem", config.SslKeyLocation);
    }

    [Fact]
    public void Security_OAuthBearerWithoutTokenSource_ThrowsConfigurationErrorNamingTheField()
    {
        var profile = new SecurityProfileOptions { Tls = true, SaslMechanism = "OAUTHBEARER" };

        var error = Assert.Throws<XinfraConfigurationException>(() => KafkaClientConfigs.Producer(Context(profile), new KafkaTransportOptions()));

        Assert.Equal("Xinfra:SecurityProfiles:secure:TokenFile", error.Field);
        Assert.Equal("kafka-east", error.Cluster);
    }

    [Fact]
    public void Security_OAuthBearerWithProvider_UsesOAuthBearer()
    {
        var profile = new SecurityProfileOptions { Tls = true, SaslMechanism = "OAUTHBEARER" };
        var options = new KafkaTransportOptions { OAuthTokenProvider = (_, _) => ValueTask.FromResult(new KafkaOAuthToken("t", DateTimeOffset.MaxValue, "p")) };

        var config = KafkaClientConfigs.Producer(Context(profile), options);

        Assert.Equal(SaslMechanism.OAuthBearer, config.SaslMechanism);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
    }

    [Fact]
    public void Security_OAuthBearerWithInlineToken_UsesOAuthBearerAndNeverPrintsTheToken()
    {
        var profile = new SecurityProfileOptions { Tls = true, CaCertificateFile = "/etc/ca.pem", SaslMechanism = "oauthbearer", Token = "inline-secret-token" };

        var config = KafkaClientConfigs.Consumer(Context(profile), new KafkaTransportOptions(), new ConsumerSpec { GroupId = "g", Topics = [new PhysicalTopic("l", "c", "p")], AutoOffsetReset = Transport.AutoOffsetReset.Earliest, ClientId = "m" });

        Assert.Equal(SaslMechanism.OAuthBearer, config.SaslMechanism);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal("/etc/ca.pem", config.SslCaLocation);
        Assert.DoesNotContain("inline-secret-token", profile.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(config, kv => kv.Value?.Contains("inline-secret-token", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Security_SameProfileAsNorthguard_MapsTlsTrustClientCertificateAndScramForKafka()
    {
        var profile = new SecurityProfileOptions
        {
            Tls = true,
            CaCertificateFile = "/certs/ca.pem",
            ClientCertificateFile = "/certs/app.pem",
            ClientKeyFile = "/certs/app.key",
            SaslMechanism = "SCRAM-SHA-512",
            Username = "app-1",
            Password = "pw-secret",
        };

        var config = KafkaClientConfigs.Admin(Context(profile), new KafkaTransportOptions());

        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal("/certs/ca.pem", config.SslCaLocation);
        Assert.Equal("/certs/app.pem", config.SslCertificateLocation);
        Assert.Equal("/certs/app.key", config.SslKeyLocation);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("app-1", config.SaslUsername);
        Assert.Equal("pw-secret", config.SaslPassword);
        Assert.DoesNotContain("pw-secret", profile.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Security_UnknownMechanismOrMissingPassword_ThrowsWithoutLeakingSecrets()
    {
        var unknown = new SecurityProfileOptions { SaslMechanism = "GSSAPI", Username = "u", Password = "hunter2" };
        var noPassword = new SecurityProfileOptions { SaslMechanism = "PLAIN", Username = "u" };

        var first = Assert.Throws<XinfraConfigurationException>(() => KafkaClientConfigs.Producer(Context(unknown), new KafkaTransportOptions()));
        var second = Assert.Throws<XinfraConfigurationException>(() => KafkaClientConfigs.Producer(Context(noPassword), new KafkaTransportOptions()));

        Assert.Contains("GSSAPI", first.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", first.Message, StringComparison.Ordinal);
        Assert.Contains("Username and Password", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OAuthToken_ToString_HidesTheToken()
    {
        var token = new KafkaOAuthToken("very-secret-token", DateTimeOffset.UnixEpoch, "svc");

        Assert.DoesNotContain("very-secret-token", token.ToString(), StringComparison.Ordinal);
    }

    private static TransportContext Context(SecurityProfileOptions? security = null, Dictionary<string, string>? settings = null) => new(
        "kafka-east",
        new ClusterOptions
        {
            Kind = ClusterKind.Kafka,
            Bootstrap = "broker:9092",
            SecurityProfile = security is null ? null : "secure",
            Settings = settings ?? [],
        },
        security,
        "app-1",
        NullLoggerFactory.Instance,
        TimeProvider.System);
}

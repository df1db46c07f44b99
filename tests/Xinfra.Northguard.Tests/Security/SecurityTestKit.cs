using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.Security;

internal static class SecurityTestKit
{
    public static NorthguardRecord Record(string value) => new(Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(value));

    /// <summary>Polls <paramref name="attempt"/> until it returns true, failing after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> attempt, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await attempt())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Opens a new TLS connection to <paramref name="endpoint"/> and returns the thumbprint of the certificate it presents.</summary>
    public static async Task<string> ServerThumbprintAsync(string endpoint)
    {
        var uri = new Uri(endpoint);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        string? thumbprint = null;
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = uri.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                thumbprint = (certificate as X509Certificate2)?.Thumbprint;
                return true;
            },
        });
        return thumbprint ?? throw new InvalidOperationException("The server presented no certificate.");
    }

    public static async Task<List<NorthguardConsumedRecord>> ReadAsync(NorthguardConsumerClient consumer, string topic, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var records = new List<NorthguardConsumedRecord>();
        await foreach (var record in consumer.ConsumeTopicAsync(topic, timeout.Token))
        {
            records.Add(record);
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }
}

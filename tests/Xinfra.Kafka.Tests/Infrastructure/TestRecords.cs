using System.Text;
using Xinfra.Transport;

namespace Xinfra.Kafka.Tests.Infrastructure;

internal static class TestRecords
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static OutgoingRecord Outgoing(string? key, string? value, params (string Name, string Value)[] headers)
    {
        var list = new List<XinfraHeader>(headers.Length);
        foreach (var (name, headerValue) in headers)
        {
            list.Add(new XinfraHeader(name, Encoding.UTF8.GetBytes(headerValue)));
        }

        return new OutgoingRecord(
            key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(key),
            value is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(value),
            list,
            default);
    }

    public static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;

    public static ConsumerSpec Spec(PhysicalTopic topic, string? group = null, IRebalanceListener? listener = null) => new()
    {
        GroupId = group ?? "g-" + Guid.NewGuid().ToString("N")[..12],
        Topics = [topic],
        Listener = listener,
    };

    public static async Task<List<IncomingRecord>> ReadAsync(ITransportConsumer consumer, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        var records = new List<IncomingRecord>(count);
        while (records.Count < count)
        {
            records.Add(await consumer.ReadAsync(cts.Token));
        }

        return records;
    }

    /// <summary>Reads until nothing arrives for <paramref name="quiet"/>.</summary>
    public static async Task<List<IncomingRecord>> ReadUntilQuietAsync(ITransportConsumer consumer, TimeSpan quiet)
    {
        var records = new List<IncomingRecord>();
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                records.Add(await consumer.ReadAsync(cts.Token));
            }
            catch (OperationCanceledException)
            {
                return records;
            }
        }
    }

    public static async Task ProduceAsync(ITransport transport, PhysicalTopic topic, int count, Func<int, string?>? key = null, string prefix = "v")
    {
        var tasks = new List<Task<TransportReceipt>>(count);
        for (var i = 0; i < count; i++)
        {
            tasks.Add(transport.ProduceAsync(topic, Outgoing(key?.Invoke(i) ?? $"k{i}", $"{prefix}{i}"), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(tasks);
    }
}

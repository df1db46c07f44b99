using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Grpc.Core;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Consumes Northguard ranges. The broker pushes records within the credits this client grants (records and bytes),
/// across sealed and open segments, resuming from any offset; the client follows segments to the brokers serving
/// them and, for a whole topic, reads a parent range to its end before its children so per-key order holds across
/// splits and merges. Thread-safe.
/// </summary>
public sealed partial class NorthguardConsumerClient : IAsyncDisposable
{
    private readonly ClientConnections _connections;

    /// <summary>Creates a consumer; it connects lazily.</summary>
    public NorthguardConsumerClient(NorthguardClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed.", nameof(options));
        }

        _connections = new ClientConnections(options);
    }

    /// <summary>
    /// Whether consume streams ask brokers for stored batches as bytes (decoded and CRC-checked here) rather than
    /// records one by one; false speaks the older per-record form only (comparisons, diagnosis). The records read are
    /// the same either way. <value>The default value is true.</value>
    /// </summary>
    public bool AcceptStoredBatches { get; init; } = true;

    /// <summary>The ranges of <paramref name="topic"/>, active and retired, in creation order.</summary>
    public async Task<IReadOnlyList<NorthguardRange>> GetRangesAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        RouteResponse route;
        try
        {
            route = await _connections.RouteAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            // A cancelled call is a cancellation, not a consume error (the consumer is being woken or stopped).
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw ClientErrors.ForConsume(topic, e);
        }

        return [.. route.Ranges.Select(r => new NorthguardRange(r.RangeId, r.KeyStart, r.KeyEnd, r.Active, [.. r.Parents], [.. r.Children]))];
    }

    /// <summary>
    /// Reads range <paramref name="rangeId"/> from <paramref name="fromOffset"/>; ends when the range is retired and read
    /// to its end, else waits for new records until cancelled.
    /// </summary>
    public IAsyncEnumerable<NorthguardConsumedRecord> ConsumeRangeAsync(string topic, ulong rangeId, long fromOffset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(fromOffset);
        return ConsumeRangeCoreAsync(topic, rangeId, fromOffset, cancellationToken);
    }

    /// <summary>
    /// Reads every range of <paramref name="topic"/> from its start: ranges without parents first, and a range's
    /// children only once all its parents are read to their ends. Runs until cancelled.
    /// </summary>
    public IAsyncEnumerable<NorthguardConsumedRecord> ConsumeTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return ConsumeTopicCoreAsync(topic, cancellationToken);
    }

    private async IAsyncEnumerable<NorthguardConsumedRecord> ConsumeTopicCoreAsync(string topic, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ranges = await GetRangesAsync(topic, cancellationToken).ConfigureAwait(false);
        var output = Channel.CreateBounded<NorthguardConsumedRecord>(1024);
        var finished = new HashSet<ulong>();
        var started = new HashSet<ulong>();
        var gate = new Lock();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int running = 0;

        void Start(ulong range)
        {
            Interlocked.Increment(ref running);
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var record in ConsumeRangeCoreAsync(topic, range, 0, cts.Token).ConfigureAwait(false))
                    {
                        await output.Writer.WriteAsync(record, cts.Token).ConfigureAwait(false);
                    }

                    var all = await GetRangesAsync(topic, cts.Token).ConfigureAwait(false);
                    lock (gate)
                    {
                        finished.Add(range);
                        foreach (var child in all.Where(r => r.Parents.Contains(range)))
                        {
                            if (child.Parents.All(finished.Contains) && started.Add(child.RangeId))
                            {
                                Start(child.RangeId);
                            }
                        }
                    }
                }
                catch (Exception e)
                {
                    output.Writer.TryComplete(e is OperationCanceledException ? null : e);
                }
            }, CancellationToken.None);
        }

        lock (gate)
        {
            foreach (var range in ranges.Where(r => r.Parents.Count == 0))
            {
                started.Add(range.RangeId);
                Start(range.RangeId);
            }
        }

        try
        {
            await foreach (var record in output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _connections.Dispose();
        return ValueTask.CompletedTask;
    }

    private static NorthguardRecord ToRecord(Record wire)
    {
        RecordHeader[] headers = wire.Headers.Count == 0 ? [] : new RecordHeader[wire.Headers.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = new RecordHeader(wire.Headers[i].Name, wire.Headers[i].Value.Memory);
        }

        return new NorthguardRecord(wire.Key.Memory, wire.Value.Memory, headers, wire.Timestamp);
    }
}

using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Xinfra.Internal;
using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Producing.Outbox;

/// <summary>
/// The durable outbox of one topic under <c>DualWriteAck: Primary</c>: target copies the producer acknowledged
/// before the target had them. <see cref="Reserve"/> (before the source write) bounds its size; <see cref="Append"/>
/// and <see cref="SyncAsync"/> make the copy durable; a single replayer sends the entries to the target in append order, up to
/// <see cref="Window"/> in flight, and acknowledges them in order. After a failure it lets the window settle and
/// re-sends only the failed entries, in order, each retried (Polly, exponential backoff up to 2 s) until the target
/// takes it; so the target receives every copy, in per-partition order, once (a crash between the target's ack and
/// the next <c>acked</c> checkpoint re-sends at most the entries since that checkpoint).
/// </summary>
internal sealed class DualWriteOutbox : IAsyncDisposable
{
    /// <summary>Per-entry bytes beyond the record: frame header, target names, lengths, the source-coordinates header.</summary>
    private const int Overhead = 160;

    /// <summary>Entries sent to the target at once (in order) while it is healthy.</summary>
    private const int Window = 256;

    private readonly OutboxLog _log;
    private readonly TransportRegistry _transports;
    private readonly XinfraConfigurationMonitor _configuration;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly ChangeSignal _appended = new();
    private readonly ChangeSignal _acked = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _reserveLock = new();
    private readonly Task _replayer;
    private long _reserved;
    private bool _windowFailed;

    public DualWriteOutbox(string topic, string directory, XinfraConfigurationMonitor configuration, TransportRegistry transports, TimeProvider timeProvider, ILogger logger)
    {
        Topic = topic;
        _configuration = configuration;
        _transports = transports;
        _logger = logger;
        _log = new OutboxLog(directory, topic, 16L * 1024 * 1024, logger);
        _retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(static e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromSeconds(2),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    if (args.AttemptNumber % 20 == 0)
                    {
                        Log.OutboxReplayRetry(_logger, Topic, args.Context.OperationKey ?? "?", args.AttemptNumber + 1, Depth, args.Outcome.Exception!);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        if (_log.Depth > 0)
        {
            Log.OutboxRecovered(_logger, Topic, directory, _log.Depth, _log.Bytes);
        }

        _replayer = Task.Run(() => ReplayAsync(_stop.Token));
    }

    public string Topic { get; }

    public string Directory => _log.DirectoryPath;

    /// <summary>Entries the target has not acknowledged yet.</summary>
    public long Depth => _log.Depth;

    /// <summary>Their bytes on disk.</summary>
    public long Bytes => _log.Bytes;

    /// <summary>
    /// Reserves room for the target copy of <paramref name="record"/> before anything is written, or throws
    /// <see cref="OutboxFullException"/>. Returns the reservation to pass to <see cref="Append"/> or <see cref="Release"/>.
    /// </summary>
    public long Reserve(OutgoingRecord record, long maxBytes)
    {
        long size = record.SizeInBytes + Overhead;
        lock (_reserveLock)
        {
            if (_log.Bytes + _reserved + size > maxBytes)
            {
                throw new OutboxFullException(
                    $"Topic '{Topic}': the dual-write outbox '{Directory}' is full ({_log.Depth} records, {_log.Bytes} bytes waiting for the target; limit {maxBytes} bytes, {XinfraOptions.SectionName}:Topics:{Topic}:OutboxMaxBytes). Nothing was written; the target is not accepting the copies — retry later.")
                { Topic = Topic };
            }

            _reserved += size;
        }

        return size;
    }

    public void Release(long reservation)
    {
        lock (_reserveLock)
        {
            _reserved -= reservation;
        }
    }

    /// <summary>Appends an encoded target copy (<see cref="OutboxFrame.Encode"/>); returns the sequence to pass to <see cref="SyncAsync"/>.</summary>
    public long Append(byte[] frame, long reservation)
    {
        long sequence;
        lock (_reserveLock)
        {
            // Under the reservation lock so that Bytes + reserved never undercounts.
            sequence = _log.Append(frame);
            _reserved -= reservation;
        }

        _appended.Pulse();
        return sequence;
    }

    /// <summary>Completes once the append numbered <paramref name="sequence"/> is fsynced.</summary>
    public ValueTask SyncAsync(long sequence, CancellationToken cancellationToken) => _log.SyncAsync(sequence, cancellationToken);

    /// <summary>Completes once the outbox is empty (every entry acknowledged by the target).</summary>
    public async ValueTask WaitDrainedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _acked.Version;
            if (_log.Depth == 0)
            {
                return;
            }

            await _acked.WaitAsync(version, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _replayer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _log.Dispose();
        _stop.Dispose();
    }

    private async Task ReplayAsync(CancellationToken stop)
    {
        var window = new Queue<InFlight>();
        while (!stop.IsCancellationRequested)
        {
            var version = _appended.Version;
            try
            {
                // No new send once one failed: a send issued after a failure could land before the failed one's re-send.
                while (window.Count < Window && !Volatile.Read(ref _windowFailed) && _log.TryReadNext(out var payload, out var frameLength))
                {
                    var (target, record) = OutboxFrame.Decode(Topic, payload);
                    window.Enqueue(new InFlight(target, record, frameLength, SendOnceAsync(target, record, stop)));
                }
            }
            catch (InvalidDataException ex)
            {
                // Cannot happen to frames this process wrote (recovery checked the older ones); stop rather than skip.
                Log.OutboxReplayStopped(_logger, Topic, Directory, ex);
                return;
            }

            if (window.Count == 0)
            {
                await _appended.WaitAsync(version, stop).ConfigureAwait(false);
                continue;
            }

            var head = window.Peek();
            if (await head.Send.ConfigureAwait(false) is null)
            {
                window.Dequeue();
                Acknowledge(head);
                continue;
            }

            // The head failed. A transport keeps a partition's in-flight records in order, and fails the later ones of
            // that partition when an earlier one fails, so everything still in the window either landed (another
            // partition) or failed too. Let the window settle, then re-send only the failed entries, in order, each
            // retried until the target takes it: no reorder within a partition, no duplicate.
            while (window.Count > 0)
            {
                var entry = window.Dequeue();
                if (await entry.Send.ConfigureAwait(false) is not null)
                {
                    await SendWithRetryAsync(entry.Target, entry.Record, stop).ConfigureAwait(false);
                }

                Acknowledge(entry);
            }

            Volatile.Write(ref _windowFailed, false);
        }
    }

    private void Acknowledge(InFlight entry)
    {
        var tags = ClientMetrics.Tags(Topic, entry.Target.Cluster);
        ClientMetrics.ProducedRecords.Add(1, tags);
        ClientMetrics.ProducedBytes.Add(entry.Record.SizeInBytes, tags);
        _log.Ack(entry.FrameLength);
        _acked.Pulse();
    }

    /// <summary>One attempt; the error (null on success) instead of an exception, so the window can settle.</summary>
    private async Task<Exception?> SendOnceAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken stop)
    {
        try
        {
            await SendAsync(target, record, stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            Volatile.Write(ref _windowFailed, true);
            return ex;
        }
    }

    private async Task SendWithRetryAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken stop)
    {
        var context = ResilienceContextPool.Shared.Get(target.Cluster, stop);
        try
        {
            await _retry.ExecuteAsync(
                static (ctx, state) => state.Self.SendAsync(state.target, state.record, ctx.CancellationToken),
                context,
                (Self: this, target, record)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask SendAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var transport = _transports.Get(target.Cluster);
        if (_configuration.Current.Routes.TryGetValue(Topic, out var route) && route.AutoCreate)
        {
            await _transports.EnsureTopicAsync(transport, target, cancellationToken).ConfigureAwait(false);
        }

        await transport.ProduceAsync(target, record, cancellationToken).ConfigureAwait(false);
    }

    private sealed record InFlight(PhysicalTopic Target, OutgoingRecord Record, int FrameLength, Task<Exception?> Send);
}

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
internal sealed partial class DualWriteOutbox : IAsyncDisposable
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
}

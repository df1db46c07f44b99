using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Xinfra.Northguard.Client;

/// <summary>
/// The pending receipt of one <see cref="NorthguardProducerClient.ProduceAsync"/> record: a pooled
/// <see cref="IValueTaskSource{TResult}"/> (no task, async state machine or continuation list per record). Its
/// <see cref="OnDelivery"/> rides in the batch like a <c>Produce</c> callback, so a record re-routed after a split takes
/// it along; <see cref="Batch"/> completes all of a batch's sources from one thread-pool work item, where each awaiting
/// continuation runs inline (one pool hop per batch instead of one per record). A source goes back to the pool when its
/// result is read; one cancelled by the caller's token never does (its batch may still complete it later).
/// </summary>
internal sealed class ReceiptSource : IValueTaskSource<NorthguardReceipt>
{
    private const int MaxPooled = 1 << 15;
    private static readonly ConcurrentQueue<ReceiptSource> Pool = new();
    private static int s_pooled;
    private ManualResetValueTaskSourceCore<NorthguardReceipt> _core;
    private CancellationTokenRegistration _cancellation;
    private int _completed;
    private bool _canceled;
    private TimeProvider? _clock;
    private long _ackedAt;

    private ReceiptSource()
    {
        OnDelivery = (receipt, error) => Complete(receipt, error, 0);
    }

    /// <summary>The batch callback that completes this source (on whatever thread calls it).</summary>
    public Action<NorthguardReceipt, XinfraException?> OnDelivery { get; }

    /// <summary>The caller's view: valid until its result is read once.</summary>
    public ValueTask<NorthguardReceipt> Task => new(this, _core.Version);

    /// <summary>A source from the pool; <paramref name="clock"/> (when stage metrics listen) times the ack-to-continuation hand-off.</summary>
    public static ReceiptSource Rent(TimeProvider? clock)
    {
        if (Pool.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref s_pooled);
        }
        else
        {
            source = new ReceiptSource();
        }

        source._clock = clock;
        return source;
    }

    /// <summary>Completes with an <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ReceiptSource)state!).Cancel(token), this);
        }
    }

    /// <summary>The record's batch ended (acknowledged at <paramref name="ackedAt"/>, a timestamp or 0), or it failed.</summary>
    public void Complete(NorthguardReceipt receipt, XinfraException? error, long ackedAt)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _ackedAt = ackedAt;
        if (error is null)
        {
            _core.SetResult(receipt);
        }
        else
        {
            _core.SetException(error);
        }
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _canceled = true;
        _core.SetException(new OperationCanceledException("The wait for the record's receipt was cancelled; the record may still be written.", token));
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public NorthguardReceipt GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("The result of a ProduceAsync call was already read.");
        }

        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            throw new InvalidOperationException("A ProduceAsync result was read before the record was acknowledged; await it.");
        }

        if (_clock is { } clock && _ackedAt != 0)
        {
            ProducerStageMetrics.Completion.Record(clock.GetElapsedTime(_ackedAt).TotalMilliseconds);
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    private void Return()
    {
        _cancellation.Dispose();
        _cancellation = default;
        if (_canceled || Interlocked.Increment(ref s_pooled) > MaxPooled)
        {
            if (!_canceled)
            {
                Interlocked.Decrement(ref s_pooled);
            }

            return;
        }

        _core.Reset();
        _completed = 0;
        _ackedAt = 0;
        _clock = null;
        Pool.Enqueue(this);
    }
}

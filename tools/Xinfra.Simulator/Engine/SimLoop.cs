using System.Runtime.CompilerServices;

namespace Xinfra.Simulator.Engine;

/// <summary>
/// The single-threaded event loop of one simulated run: a priority queue of actions ordered by (simulated time,
/// insertion number). It is also the <see cref="SynchronizationContext"/> of the run, so every <c>await</c> in
/// simulated brokers and clients resumes as a queued event on this thread: same seed, same order, byte for byte.
/// </summary>
internal sealed class SimLoop : SynchronizationContext
{
    private readonly PriorityQueue<(SendOrPostCallback Callback, object? State), (long Time, long Seq)> _queue = new();
    private static readonly SendOrPostCallback RunAction = static s => ((Action)s!)();
    private static readonly SendOrPostCallback CompleteDelay = static s => ((SimDelay)s!).Fire();
    private long _seq;

    /// <summary>Simulated time in <see cref="TimeSpan"/> ticks since the start of the run.</summary>
    public long Now { get; private set; }

    /// <summary>How many events ran.</summary>
    public long Steps { get; private set; }

    /// <summary>Errors thrown by simulated actors (a bug in the simulator or in engine code it drives).</summary>
    public List<string> Errors { get; } = [];

    public static long Ms(double milliseconds) => (long)(milliseconds * TimeSpan.TicksPerMillisecond);

    /// <summary>Runs <paramref name="action"/> at simulated time <paramref name="time"/> (not before now).</summary>
    public void At(long time, Action action) => At(time, RunAction, action);

    /// <summary>
    /// Runs <paramref name="callback"/>(<paramref name="state"/>) at simulated time <paramref name="time"/> (not before
    /// now): the allocation-free form of <see cref="At(long, Action)"/> for hot paths (a static callback, no closure).
    /// </summary>
    public void At(long time, SendOrPostCallback callback, object? state) =>
        _queue.Enqueue((callback, state), (Math.Max(time, Now), _seq++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state), (Now, _seq++));

    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The simulation never blocks.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// Something to await that completes (as a queued event) after <paramref name="delay"/> simulated ticks. Its timer
    /// event is queued now, and when it fires the awaiting code is posted as the next event of that instant, exactly as
    /// a <see cref="TaskCompletionSource"/> with asynchronous continuations would, but in one object instead of four.
    /// </summary>
    public SimDelay Delay(long delay)
    {
        var done = new SimDelay(this);
        At(Now + delay, CompleteDelay, done);
        return done;
    }

    /// <summary>Starts a simulated activity; an exception escaping it is recorded as a run error.</summary>
    public void Spawn(string name, Func<Task> activity)
    {
        Post(_ =>
        {
            Task task;
            try
            {
                task = activity();
            }
            catch (Exception e)
            {
                Errors.Add($"{name}: {e}");
                return;
            }

            _ = Observe(name, task);
        }, null);
    }

    /// <summary>Runs events until the queue is empty, <paramref name="until"/> is reached or <paramref name="stop"/> holds.</summary>
    public void Run(long until, Func<bool>? stop = null)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            while (_queue.TryPeek(out _, out var when) && when.Time <= until)
            {
                var (callback, state) = _queue.Dequeue();
                Now = when.Time;
                Steps++;
                try
                {
                    callback(state);
                }
                catch (Exception e)
                {
                    // A message handler or timer threw (a bug in the simulator or in engine code it drives): the run
                    // fails with its seed and replay command instead of taking the whole process down.
                    Errors.Add($"event at {Now / TimeSpan.TicksPerMillisecond} ms: {e}");
                }

                if (stop is not null && (Steps & 63) == 0 && stop())
                {
                    return;
                }
            }

            Now = Math.Max(Now, until);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private async Task Observe(string name, Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            Errors.Add($"{name}: {e}");
        }
    }
}

/// <summary>
/// The awaitable of <see cref="SimLoop.Delay"/>: single use, awaited once, on the loop's thread. Its continuation runs as
/// a posted event of the loop (never inline), so the order of events is that of a task completed by a timer event.
/// </summary>
internal sealed class SimDelay(SimLoop loop) : ICriticalNotifyCompletion
{
    private static readonly SendOrPostCallback RunContinuation = static s => ((Action)s!)();
    private Action? _continuation;

    /// <summary>True once the timer fired.</summary>
    public bool IsCompleted { get; private set; }

    public SimDelay GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation)
    {
        if (IsCompleted)
        {
            loop.Post(RunContinuation, continuation);
        }
        else
        {
            _continuation = continuation;
        }
    }

    internal void Fire()
    {
        IsCompleted = true;
        if (_continuation is { } continuation)
        {
            _continuation = null;
            loop.Post(RunContinuation, continuation);
        }
    }
}

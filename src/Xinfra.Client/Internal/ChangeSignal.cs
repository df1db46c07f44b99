namespace Xinfra.Internal;

/// <summary>
/// A versioned wake-up: waiters read <see cref="Version"/>, check their condition, then wait for a newer version, so
/// a change that happens between the check and the wait is never missed.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    public void Pulse()
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            _version++;
            done = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    /// <summary>Completes once the version is past <paramref name="seen"/>.</summary>
    public Task WaitAsync(long seen, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_version != seen)
            {
                return Task.CompletedTask;
            }

            return _next.Task.WaitAsync(cancellationToken);
        }
    }
}

namespace Xinfra.Internal;

/// <summary>Counts operations in flight and lets a flush wait until none is left.</summary>
internal sealed class PendingOperations
{
    private readonly ChangeSignal _changed = new();
    private long _count;

    public void Started() => Interlocked.Increment(ref _count);

    public void Finished()
    {
        Interlocked.Decrement(ref _count);
        _changed.Pulse();
    }

    /// <summary>Completes once no operation is in flight (operations started meanwhile are waited for too).</summary>
    public async ValueTask WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _changed.Version;
            if (Interlocked.Read(ref _count) == 0)
            {
                return;
            }

            await _changed.WaitAsync(version, cancellationToken).ConfigureAwait(false);
        }
    }
}

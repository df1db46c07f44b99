using System.IO.Hashing;

namespace Xinfra.Northguard.Security;

/// <summary>
/// A value loaded from files (a certificate, a CA bundle) and loaded again when their content changes: a timer on
/// the given clock hashes the files every interval. A failed load (files half-written during a rotation) keeps the
/// previous value and is retried at the next tick. Readers always get a complete value.
/// </summary>
internal sealed class ReloadingFile<T> : IDisposable
    where T : class
{
    private readonly string[] _paths;
    private readonly Func<T> _load;
    private readonly Action<Exception>? _failed;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private ulong _stamp;
    private T _current;
    private int _reloads;

    public ReloadingFile(IReadOnlyList<string> paths, Func<T> load, TimeSpan interval, TimeProvider timeProvider, Action<Exception>? failed = null)
    {
        _paths = [.. paths];
        _load = load;
        _failed = failed;
        _stamp = Stamp();
        _current = load();
        _timer = timeProvider.CreateTimer(static s => ((ReloadingFile<T>)s!).Check(), this, interval, interval);
    }

    /// <summary>The last value that loaded.</summary>
    public T Current => Volatile.Read(ref _current);

    /// <summary>How many times a changed file was loaded.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>Raised after a new value was loaded.</summary>
    public event Action<T>? Reloaded;

    /// <summary>Loads the files again if their content changed; true when a new value was loaded.</summary>
    public bool Check()
    {
        lock (_gate)
        {
            try
            {
                ulong stamp = Stamp();
                if (stamp == _stamp)
                {
                    return false;
                }

                var value = _load();
                Volatile.Write(ref _current, value);
                _stamp = stamp;
                Interlocked.Increment(ref _reloads);
                Reloaded?.Invoke(value);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                _failed?.Invoke(e);
                return false;
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private ulong Stamp()
    {
        var hash = new XxHash64();
        foreach (var path in _paths)
        {
            hash.Append(File.ReadAllBytes(path));
        }

        return hash.GetCurrentHashAsUInt64();
    }
}

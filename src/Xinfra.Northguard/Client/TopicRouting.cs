using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>
/// A producer's routing state for one topic: the route (its ranges) once fetched, a first-in-first-out gate that
/// keeps records in call order while the route is fetched or re-read, and the records of a retired range that must
/// be re-routed before any record produced after them. A record takes the fast path (no gate) only when the route is
/// known, nobody is in line and nothing waits to be re-routed.
/// </summary>
internal sealed class TopicRouting
{
    private readonly Lock _lock = new();
    private readonly Queue<Reroute> _reroutes = new();
    private Task<RouteResponse>? _route;
    private volatile int _rerouting;

    /// <summary>The line records join when they cannot take the fast path; one holder at a time, in arrival order.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// The known route for the fast path, or null. The route is read before the gate and the re-route count, so a route
    /// set by a gate holder is used without the gate only after that holder left the line.
    /// </summary>
    public RouteResponse? FastRoute =>
        Volatile.Read(ref _route) is { IsCompletedSuccessfully: true } route && Gate.CurrentCount == 1 && _rerouting == 0 ? route.Result : null;

    /// <summary>The route task, started by <paramref name="fetch"/> when none is known (gate holders only).</summary>
    public Task<RouteResponse> RouteOrFetch(Func<Task<RouteResponse>> fetch) => Volatile.Read(ref _route) ?? (_route = fetch());

    /// <summary>Forgets the route: the next record in line fetches it again.</summary>
    public void Forget() => Volatile.Write(ref _route, null);

    /// <summary>Queues the unacknowledged batches of a retired range, ahead of every record not yet in a range.</summary>
    public void AddReroutes(IReadOnlyList<Batch> batches)
    {
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                _reroutes.Enqueue(new Reroute(batch));
            }

            _rerouting = _reroutes.Count;
        }

        Forget();
    }

    /// <summary>The oldest batch still to re-route (gate holders only).</summary>
    public bool TryPeekReroute(out Reroute reroute)
    {
        lock (_lock)
        {
            return _reroutes.TryPeek(out reroute!);
        }
    }

    /// <summary>Drops the oldest batch once all its records are in ranges (or failed) and returns its buffer.</summary>
    public void CompleteReroute()
    {
        Reroute done;
        lock (_lock)
        {
            done = _reroutes.Dequeue();
            _rerouting = _reroutes.Count;
        }

        done.Batch.Dispose();
    }

    /// <summary>A retired range's batch being re-routed record by record; <see cref="Next"/> is the first not yet placed.</summary>
    internal sealed class Reroute(Batch batch)
    {
        public Batch Batch { get; } = batch;

        public List<NorthguardRecord> Records { get; } = batch.Decode();

        public int Next { get; set; }
    }
}

using System.Globalization;
using System.Text;
using Xinfra.Migration;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// A consumer group of one member on the migrating topic that follows the phase it last saw, with the cutover of
/// Migration/MigrationCutover modelled step by step and its decisions made by the real code: the real
/// <see cref="MigrationCheckpoint"/> (floor and delivered set, real <see cref="OffsetIntervals"/>) is built at each
/// flip of the read epoch as FlipToTargetAsync/FlipToSourceAsync build it, and every record read goes through the
/// real <see cref="DeliveryFilter"/>. Before a flip to the target it scans the source past its position and defers
/// while a record without the dual-write header remains (SourceOnlyRecordsAsync). With one member the barrier
/// (no member left on the epoch being left) holds by construction: the member stops reading it first.
/// </summary>
internal sealed partial class MigrationConsumer(SimWorld world, int id, int index, MigrationControl control, MigrationChecker checker)
    : SimClient(world, id)
{
    private readonly MigrationView _view = new(control, DualWriteAckPolicy.Both);
    private readonly Dictionary<long, long> _sourcePositions = [];
    private readonly Dictionary<long, long> _targetPositions = [];
    private readonly Dictionary<long, OffsetIntervals> _deliveredFromTarget = [];
    private MigrationCheckpoint? _checkpoint;
    private DeliveryFilter? _filter;
    private long _retryAt;
    private int _consecutiveDeferrals;

    public int Index => index;

    public bool ReadsTarget { get; private set; }

    /// <summary>The member stalls (reads nothing, polls nothing) from <see cref="StallFrom"/> while <see cref="Stalled"/> holds.</summary>
    public long StallFrom { get; set; } = long.MaxValue;

    public Func<bool> Stalled { get; set; } = () => false;

    public int Flips { get; private set; }

    public int Deferrals { get; private set; }

    public void Start() => World.Loop.Spawn($"migration consumer {index}", RunAsync);

    private async Task RunAsync()
    {
        long nextPoll = 0;
        while (true)
        {
            if (World.Loop.Now >= StallFrom && Stalled())
            {
                await World.Loop.Delay(SimLoop.Ms(100));
                continue;
            }

            if (World.Loop.Now >= nextPoll)
            {
                _view.Refresh();
                nextPoll = World.Loop.Now + SimLoop.Ms(100 + Random.Next(400));
            }

            var route = _view.Route;
            bool wantsTarget = route.ReadFrom == route.Target;
            if (wantsTarget && !ReadsTarget && World.Loop.Now >= _retryAt)
            {
                await TryCutToTargetAsync();
            }
            else if (!wantsTarget && ReadsTarget)
            {
                RollBackToSource();
            }

            bool progressed = await ReadAsync(ReadsTarget ? MigrationControl.Target.Name : MigrationControl.Source.Name, ReadsTarget);
            await World.Loop.Delay(SimLoop.Ms(progressed ? 40 : 150));
        }
    }

    private async Task TryCutToTargetAsync()
    {
        bool? clean = World.Options.Bugs.MigrationCutWithoutScan ? true : await SourceTailIsDualWrittenAsync();
        if (clean != true)
        {
            // CutoverRetryInterval doubling per consecutive deferral (capped), as the real member does.
            Deferrals += clean == false ? 1 : 0;
            _consecutiveDeferrals = Math.Min(_consecutiveDeferrals + 1, 5);
            _retryAt = World.Loop.Now + (SimLoop.Ms(250) << (_consecutiveDeferrals - 1));
            return;
        }

        // FlipToTargetAsync: the cut is the committed source positions (never below the previous floor).
        var floor = new Dictionary<long, long>();
        foreach (var (partition, position) in _sourcePositions)
        {
            floor[partition] = Math.Max(position, _checkpoint?.SourceFloor.GetValueOrDefault(partition) ?? 0);
        }

        var delivered = new Dictionary<long, OffsetIntervals>();
        foreach (var partition in _checkpoint?.SourceDelivered.Keys ?? Enumerable.Empty<long>())
        {
            var set = _checkpoint!.Delivered(partition);
            set.TrimBelow(floor.GetValueOrDefault(partition));
            delivered[partition] = set;
        }

        _checkpoint = new MigrationCheckpoint
        {
            Flip = (_checkpoint?.Flip ?? 0) + 1,
            ReadsTarget = true,
            SourceFloor = floor,
            SourceDelivered = MigrationCheckpoint.Serialize(delivered),
            TargetStart = new Dictionary<long, long>(_targetPositions),
        };
        _filter = new DeliveryFilter(_checkpoint, readsTarget: true);
        _deliveredFromTarget.Clear();
        _consecutiveDeferrals = 0;
        ReadsTarget = true;
        Flips++;
        World.Trace.Write($"migration consumer {index}: flip {_checkpoint.Flip} to the target, cut {Describe(floor)}");
    }

    private void RollBackToSource()
    {
        // FlipToSourceAsync: the source resumes at its old floor, skipping what was delivered from target copies.
        var delivered = new Dictionary<long, OffsetIntervals>();
        foreach (var partition in _checkpoint!.SourceDelivered.Keys)
        {
            delivered[partition] = _checkpoint.Delivered(partition);
        }

        foreach (var (partition, set) in _deliveredFromTarget)
        {
            if (!delivered.TryGetValue(partition, out var into))
            {
                delivered[partition] = into = new OffsetIntervals();
            }

            foreach (var (start, end) in set.Intervals)
            {
                into.Add(start, end);
            }
        }

        _checkpoint = new MigrationCheckpoint
        {
            Flip = _checkpoint.Flip + 1,
            ReadsTarget = false,
            SourceFloor = _checkpoint.SourceFloor,
            SourceDelivered = MigrationCheckpoint.Serialize(delivered),
        };
        _filter = new DeliveryFilter(_checkpoint, readsTarget: false);
        ReadsTarget = false;
        Flips++;
        World.Trace.Write($"migration consumer {index}: flip {_checkpoint.Flip} back to the source at {Describe(_checkpoint.SourceFloor)}");
    }

    private void Deliver(long partition, StoredRecord stored, bool fromTarget)
    {
        var record = stored.Record;
        (long Partition, long Offset)? source = fromTarget ? SourcePositionOf(record) : null;
        if (_filter is not null && !_filter.ShouldDeliver(partition, stored.Offset, source) && !World.Options.Bugs.MigrationWithoutFilter)
        {
            return;
        }

        if (source is { } src)
        {
            if (!_deliveredFromTarget.TryGetValue(src.Partition, out var set))
            {
                _deliveredFromTarget[src.Partition] = set = new OffsetIntervals();
            }

            set.Add(src.Offset);
        }

        checker.OnDeliver(index, Encoding.UTF8.GetString(record.Value.Span), Encoding.UTF8.GetString(record.Key.Span), fromTarget);
    }

    /// <summary>The <c>xinfra-src</c> header of a target copy, parsed as DeliveryFilter.SourcePosition parses it.</summary>
    private static (long Partition, long Offset)? SourcePositionOf(LogRecord record)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == RecordHeaderNames.SourcePosition)
            {
                var text = Encoding.UTF8.GetString(header.Value.Span);
                int colon = text.IndexOf(':', StringComparison.Ordinal);
                return (long.Parse(text.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(text.AsSpan(colon + 1), CultureInfo.InvariantCulture));
            }
        }

        return null;
    }

    private static string Describe(IReadOnlyDictionary<long, long> positions) =>
        string.Join(' ', positions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key:x}@{p.Value}")));
}

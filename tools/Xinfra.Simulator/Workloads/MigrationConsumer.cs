using System.Globalization;
using System.Text;
using Xinfra.Migration;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// A member of a consumer group on the migrating topic that follows the phase it last saw, with
/// Migration/MigrationCutover.PrepareAsync modelled step by step and its decisions made by the real code: when the
/// read epoch flips the member leaves the epoch it read, joins the other and delivers nothing until no member of its
/// group is left on the old one (the barrier); then it adopts the group's newest real <see cref="MigrationCheckpoint"/>
/// or builds the next one as FlipToTargetAsync/FlipToSourceAsync do (floor, real <see cref="OffsetIntervals"/>),
/// deferring a flip to the target while the source holds records without the dual-write header past the cut
/// (SourceOnlyRecordsAsync). Every record read goes through the real <see cref="DeliveryFilter"/>.
/// </summary>
internal sealed partial class MigrationConsumer(SimWorld world, int id, int index, int member, MigrationGroup group, MigrationControl control, MigrationChecker checker)
    : SimClient(world, id)
{
    private readonly MigrationView _view = new(control, DualWriteAckPolicy.Both);
    private DeliveryFilter? _filter;
    private bool _waiting;
    private long _retryAt;
    private int _consecutiveDeferrals;
    private bool _deferralToCheck;

    public int Index => index;

    public MigrationGroup Group => group;

    /// <summary>The epoch this member is joined to (and reads once past the barrier).</summary>
    public bool ReadsTarget { get; private set; }

    public int Flips { get; private set; }

    public int Deferrals { get; private set; }

    /// <summary>Forward cuts found stale by the confirmation (a deferred member delivered past the floor) and retracted.</summary>
    public int Retractions { get; private set; }

    /// <summary>Deferrals voided by a forward cut written meanwhile (found by the re-read after joining the source).</summary>
    public int OvertakenDeferrals { get; private set; }

    /// <summary>Rounds spent waiting at the barrier for another member to leave the epoch being left.</summary>
    public int BarrierWaits { get; private set; }

    /// <summary>The member stalls (reads nothing, polls nothing, leaves nothing) from <see cref="StallFrom"/> while <see cref="Stalled"/> holds.</summary>
    public long StallFrom { get; set; } = long.MaxValue;

    public Func<bool> Stalled { get; set; } = () => false;

    public void Start()
    {
        group.OnSource.Add(member);
        World.Loop.Spawn($"migration consumer {index}", RunAsync);
    }

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
            if (wantsTarget != ReadsTarget && (!wantsTarget || World.Loop.Now >= _retryAt))
            {
                Join(wantsTarget);
            }

            if (_waiting && !await PassBarrierAsync())
            {
                BarrierWaits++;
                await World.Loop.Delay(SimLoop.Ms(100));
                continue;
            }

            bool progressed = await ReadAsync(ReadsTarget);
            await World.Loop.Delay(SimLoop.Ms(progressed ? 40 : 150));
        }
    }

    /// <summary>Leaves the epoch read so far and joins the other; nothing is delivered until the barrier is passed.</summary>
    private void Join(bool target)
    {
        (target ? group.OnSource : group.OnTarget).Remove(member);
        (target ? group.OnTarget : group.OnSource).Add(member);
        ReadsTarget = target;
        _filter = null;
        _waiting = true;
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
            if (!group.DeliveredFromTarget.TryGetValue(src.Partition, out var set))
            {
                group.DeliveredFromTarget[src.Partition] = set = new OffsetIntervals();
            }

            set.Add(src.Offset);
        }

        checker.OnDeliver(group.Index, Encoding.UTF8.GetString(record.Value.Span), Encoding.UTF8.GetString(record.Key.Span), fromTarget);
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

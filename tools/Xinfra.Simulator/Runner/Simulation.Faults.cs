using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Faults;

namespace Xinfra.Simulator.Runner;

/// <summary>Injecting the faults of the plan, and the end-of-run check of sealed segment replicas.</summary>
internal sealed partial class Simulation
{
    private void Inject(Fault fault)
    {
        var loop = _world.Loop;
        var network = _world.Network;
        _world.Trace.Write($"FAULT {fault}");
        var a = Broker(fault.A);
        switch (fault.Kind)
        {
            case FaultKind.Crash:
                a.Stop(powerLoss: true, $"fault #{fault.Index}");
                loop.After(fault.DurationTicks, a.RestartUntilUp);
                break;
            case FaultKind.RollingRestart:
                long at = 0;
                foreach (var broker in _brokers)
                {
                    var b = broker;
                    loop.After(at, () => b.Stop(powerLoss: false, $"rolling restart #{fault.Index}"));
                    loop.After(at + SimLoop.Ms(300), b.RestartUntilUp);
                    at += SimLoop.Ms(1500);
                }

                break;
            case FaultKind.Partition:
                network.Block(fault.A, fault.B);
                network.Block(fault.B, fault.A);
                loop.After(fault.DurationTicks, () =>
                {
                    network.Unblock(fault.A, fault.B);
                    network.Unblock(fault.B, fault.A);
                });
                break;
            case FaultKind.OneWayPartition:
                network.Block(fault.A, fault.B);
                loop.After(fault.DurationTicks, () => network.Unblock(fault.A, fault.B));
                break;
            case FaultKind.Isolate:
                var others = Enumerable.Range(1, _brokers.Count).Where(i => i != fault.A)
                    .Concat([_admin.Id, .. _producers.Select(p => p.Id), .. _consumers.Select(c => c.Id)]).ToList();
                foreach (int other in others)
                {
                    network.Block(fault.A, other);
                    network.Block(other, fault.A);
                }

                loop.After(fault.DurationTicks, () =>
                {
                    foreach (int other in others)
                    {
                        network.Unblock(fault.A, other);
                        network.Unblock(other, fault.A);
                    }
                });
                break;
            case FaultKind.ClockJump:
                a.Clock.Skew += TimeSpan.FromMilliseconds(fault.B).Ticks;
                break;
            case FaultKind.DiskWriteError:
                a.InjectWriteError();
                break;
            case FaultKind.FsyncError:
                a.InjectFsyncError();
                break;
            case FaultKind.NetworkChaos:
                network.Loss = 0.03;
                network.Duplication = 0.03;
                network.Reordering = 0.05;
                loop.After(fault.DurationTicks, () =>
                {
                    network.Loss = 0;
                    network.Duplication = 0;
                    network.Reordering = 0;
                });
                break;
            default:
                throw new InvalidOperationException($"Unknown fault {fault.Kind}.");
        }
    }

    /// <summary>
    /// Every sealed segment of the workload topics: the copies on its replicas hold byte-identical records up to the
    /// sealed end (a copy may be shorter only when the seal happened without that replica: counted, not a failure,
    /// re-replication's job), and at least one copy is complete.
    /// </summary>
    private void CheckSealedReplicas()
    {
        foreach (var (name, _, _) in Topics)
        {
            int vnode = _world.Ring.VnodeForTopic(name);
            var state = _brokers.Select(b => b.StateOf(vnode)).FirstOrDefault(s => s is not null);
            var description = state?.Describe(name);
            if (description is null)
            {
                continue;
            }

            foreach (var range in description.Ranges)
            {
                long baseOffset = 0;
                foreach (var segment in description.Segments.Where(s => s.Id.Range == range.Id))
                {
                    if (segment.State == Xinfra.Northguard.Metadata.Model.SegmentState.Sealed)
                    {
                        CompareCopies(new SegmentRef(segment.Id, name, baseOffset, [.. segment.Replicas]), segment.EndOffset);
                    }

                    if (segment.State != Xinfra.Northguard.Metadata.Model.SegmentState.Open)
                    {
                        baseOffset = segment.EndOffset; // Deleted segments (retention) still move the base on.
                    }
                }
            }
        }
    }

    private void CompareCopies(SegmentRef segment, long end)
    {
        if (end <= segment.BaseOffset)
        {
            return;
        }

        byte[]? reference = null;
        int complete = 0;
        foreach (ulong replica in segment.Replicas)
        {
            var store = Broker((int)replica).Store;
            if (store?.GetSegment(segment.StoreId) is not { } info || info.NextOffset < end)
            {
                continue;
            }

            complete++;
            var bytes = ReadCopy(store, segment, end);
            if (reference is null)
            {
                reference = bytes;
            }
            else if (!reference.AsSpan().SequenceEqual(bytes))
            {
                _world.Checker.Fail($"sealed segment {segment} differs between replicas below its end {end}");
            }
        }

        if (complete == 0)
        {
            _world.Checker.Fail($"sealed segment {segment}: no replica holds every record up to its end {end}");
        }
    }

    private static byte[] ReadCopy(Xinfra.Northguard.Storage.FpsStore store, SegmentRef segment, long end)
    {
        using var buffer = new MemoryStream();
        long offset = segment.BaseOffset;
        while (offset < end)
        {
            var read = store.ReadAsync(segment.StoreId, offset, 64 * 1024).AsTask().GetAwaiter().GetResult();
            if (read.Records.Count == 0)
            {
                break;
            }

            foreach (var record in read.Records)
            {
                if (record.Offset >= end)
                {
                    break;
                }

                buffer.Write(BitConverter.GetBytes(record.Offset));
                buffer.Write(BitConverter.GetBytes(record.Record.Timestamp));
                buffer.Write(record.Record.Key.Span);
                buffer.WriteByte(0);
                buffer.Write(record.Record.Value.Span);
                buffer.WriteByte(0);
            }

            offset = read.NextOffset;
        }

        return buffer.ToArray();
    }
}

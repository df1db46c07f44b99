using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// The outbox replayer of a <c>Primary</c> process (DualWriteOutbox.Replay): entries in outbox order, a few of one key
/// at a time, acknowledged once the target has them; a restarted process starts again from the persisted position.
/// </summary>
internal sealed partial class MigrationProducer
{
    private async Task ReplayAsync(int incarnation, Func<bool> alive)
    {
        while (alive())
        {
            var entries = Outbox.Next(4);
            if (entries.Count == 0)
            {
                await World.Loop.Delay(SimLoop.Ms(25));
                continue;
            }

            var records = entries.Select(e => (e.Id, e.Copy)).ToList();
            if (await WriteAsync(MigrationControl.Target.Name, records, WriterId(incarnation, 2), alive) is null)
            {
                return;
            }

            Outbox.Acknowledge(entries.Count);
        }
    }
}

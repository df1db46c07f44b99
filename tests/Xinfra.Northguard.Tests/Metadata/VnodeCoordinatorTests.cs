using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class VnodeCoordinatorTests
{
    private static (VnodeCoordinator Coordinator, RaftNode Node, MemoryRaftStorage Storage) SingleVoter()
    {
        var storage = new MemoryRaftStorage([1]);
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, storage);
        var coordinator = new VnodeCoordinator(0, 1) { Node = node };
        node.Campaign();
        Drive(coordinator, node, storage);
        Assert.Equal(RaftRole.Leader, node.Role);
        return (coordinator, node, storage);
    }

    private static void Drive(VnodeCoordinator coordinator, RaftNode node, MemoryRaftStorage storage)
    {
        while (node.HasReady)
        {
            var ready = node.GetReady();
            storage.Append(ready.Entries);
            if (ready.HardState is { } hs)
            {
                storage.SetHardState(hs);
            }

            foreach (var entry in ready.CommittedEntries)
            {
                coordinator.Apply(entry);
            }

            foreach (var read in ready.ReadStates)
            {
                coordinator.OnReadReady(read);
            }

            node.Advance();
        }
    }

    [Fact]
    public async Task Propose_AppliedAtSameIndexAndTerm_CompletesWithResult()
    {
        var (coordinator, node, storage) = SingleVoter();
        var task = coordinator.ProposeAsync(new CreateTopicCommand("t", StoragePolicy.Default, 1));
        Drive(coordinator, node, storage);
        var (result, state) = await task;
        Assert.True(result.IsOk);
        Assert.NotNull(state.Describe("t"));
        Assert.Equal(0, coordinator.PendingCount);

        var read = coordinator.ReadAsync();
        Drive(coordinator, node, storage);
        Assert.NotNull((await read).Describe("t"));
    }

    [Fact]
    public async Task Propose_OverwrittenByAnotherTermsEntry_FailsWithNotLeader()
    {
        var (coordinator, node, _) = SingleVoter();
        var task = coordinator.ProposeAsync(new CreateTopicCommand("t", StoragePolicy.Default, 1));
        long index = node.LastIndex;
        coordinator.Apply(new LogEntry(index, node.Term + 1, EntryKind.Normal,
            MetadataCommandCodec.Encode(new CreateTopicCommand("other", StoragePolicy.Default, 1))));
        await Assert.ThrowsAsync<NotLeaderException>(() => task);
        Assert.Null(coordinator.State.Describe("t"));
        Assert.NotNull(coordinator.State.Describe("other"));
    }

    [Fact]
    public void Propose_OnFollower_ThrowsNotLeaderSynchronously()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, new MemoryRaftStorage([1, 2, 3]));
        var coordinator = new VnodeCoordinator(3, 1) { Node = node };
        // Thrown before any task exists: the caller learns at once and can redirect.
        var e = Assert.Throws<NotLeaderException>(() => { _ = coordinator.ProposeAsync(new DeleteTopicCommand("t")); });
        Assert.Equal(3, e.Vnode);
        Assert.Throws<NotLeaderException>(() => { _ = coordinator.ReadAsync(); });
    }

    [Fact]
    public async Task PendingRead_LeaderChanges_FailsWithNotLeader()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, new MemoryRaftStorage([1, 2, 3]));
        node.Step(new RaftMessage { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 2 });
        node.GetReady();
        node.Advance();
        var coordinator = new VnodeCoordinator(0, 1) { Node = node };
        var read = coordinator.ReadAsync(); // Forwarded to leader 2, which then fails.
        Assert.Equal(1, coordinator.PendingCount);
        coordinator.OnLeaderChanged(3, 0);
        await Assert.ThrowsAsync<NotLeaderException>(() => read);
        Assert.Equal(0, coordinator.PendingCount);
    }
}

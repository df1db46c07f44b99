using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class MetadataRouterTests
{
    private const string Topic = "orders";

    /// <summary>A broker that serves describe when it believes it leads, otherwise redirects.</summary>
    private sealed class FakeBroker(ulong id, Func<ulong> leader) : IMetadataService
    {
        public int Calls { get; private set; }

        public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
        {
            Calls++;
            ulong current = leader();
            return current == id
                ? ValueTask.FromResult(new TopicDescription(new TopicInfo(name, StoragePolicy.Default, []), [], []))
                : ValueTask.FromException<TopicDescription>(new NotLeaderException("not leader", 0, current));
        }

        public ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static (MetadataRouter Router, Dictionary<ulong, FakeBroker> Brokers) Create(Func<ulong> leader)
    {
        var brokers = new ulong[] { 1, 2, 3 }.ToDictionary(id => id, id => new FakeBroker(id, leader));
        return (new MetadataRouter(new VnodeRing(4), [1, 2, 3], id => brokers[id]), brokers);
    }

    [Fact]
    public async Task Request_FollowsLeaderHint_ThenUsesCachedLeader()
    {
        var (router, brokers) = Create(() => 3);
        await router.ForTopicAsync(Topic, s => s.DescribeTopicAsync(Topic));
        int vnode = router.Ring.VnodeForTopic(Topic);
        Assert.Equal(3UL, router.CachedLeader(vnode));
        int before = brokers.Values.Sum(b => b.Calls);
        int atLeader = brokers[3].Calls;
        await router.ForTopicAsync(Topic, s => s.DescribeTopicAsync(Topic));
        Assert.Equal(before + 1, brokers.Values.Sum(b => b.Calls)); // Straight to the cached leader.
        Assert.Equal(atLeader + 1, brokers[3].Calls);
    }

    [Fact]
    public async Task LeaderMoves_StaleCacheRefreshedOnNotLeader()
    {
        ulong leader = 2;
        var (router, _) = Create(() => leader);
        int vnode = router.Ring.VnodeForTopic(Topic);
        await router.ForTopicAsync(Topic, s => s.DescribeTopicAsync(Topic));
        Assert.Equal(2UL, router.CachedLeader(vnode));
        leader = 1;
        await router.ForTopicAsync(Topic, s => s.DescribeTopicAsync(Topic));
        Assert.Equal(1UL, router.CachedLeader(vnode));
    }

    [Fact]
    public async Task NoLeaderAnywhere_GivesUpAfterMaxRedirects()
    {
        var (router, brokers) = Create(() => 0);
        await Assert.ThrowsAsync<NotLeaderException>(() => router.ForTopicAsync(Topic, s => s.DescribeTopicAsync(Topic)).AsTask());
        Assert.Equal(router.MaxRedirects + 1, brokers.Values.Sum(b => b.Calls));
        Assert.Equal(0UL, router.CachedLeader(router.Ring.VnodeForTopic(Topic)));
    }
}

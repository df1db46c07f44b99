using Xinfra.Northguard.DataPath.Core;

namespace Xinfra.Northguard.Tests.DataPath.Core;

public sealed class OrphanSealTests
{
    [Fact]
    public void ReplicasToFence_SealerIsAFollower_SkipsTheGoneLeader()
    {
        var seal = new OrphanSeal([1, 2, 3], sealer: 2);

        Assert.Equal([2UL, 3], seal.ReplicasToFence());
    }

    [Fact]
    public void ReplicasToFence_SealerIsTheRestartedLeader_FencesEveryReplica()
    {
        var seal = new OrphanSeal([1, 2, 3], sealer: 1);

        Assert.Equal([1UL, 2, 3], seal.ReplicasToFence());
    }

    [Fact]
    public void End_SmallestFencedDurableEnd_UnreachableReplicasIgnored()
    {
        var seal = new OrphanSeal([1, 2, 3], sealer: 2);

        seal.OnFenced(120);
        seal.OnFenced(null);
        seal.OnFenced(110);

        Assert.Equal(110, seal.End);
        Assert.Equal(2, seal.Fenced);
    }

    [Fact]
    public void End_NoReplicaFenced_Null()
    {
        var seal = new OrphanSeal([1, 2], sealer: 2);

        seal.OnFenced(null);

        Assert.Null(seal.End);
    }

    [Fact]
    public void Constructor_NoReplicas_Throws()
    {
        Assert.Throws<ArgumentException>(() => new OrphanSeal([], sealer: 1));
    }
}

namespace Xinfra.Northguard.Tests.Raft.Linearizability;

public sealed class LinearizabilityCheckerTests
{
    private static KvOperation Put(int id, string value, long call, long ret, string key = "k") =>
        new(id, key, KvOpKind.Put, value, call, ret);

    private static KvOperation Get(int id, string? value, long call, long ret, string key = "k") =>
        new(id, key, KvOpKind.Get, value, call, ret);

    [Fact]
    public void SequentialHistory_ReadsLatestWrite_Linearizable()
    {
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 1), Get(2, "a", 2, 3), Put(3, "b", 4, 5), Get(4, "b", 6, 7)], out _));
    }

    [Fact]
    public void StaleRead_AfterCompletedWrite_NotLinearizable()
    {
        Assert.False(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 1), Get(2, null, 2, 3)], out string? key));
        Assert.Equal("k", key);
    }

    [Fact]
    public void ConcurrentWriteAndReads_EitherOrder_Linearizable()
    {
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 10), Get(2, "a", 1, 2), Get(3, "a", 3, 4)], out _));
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 10), Get(2, null, 1, 2), Get(3, "a", 3, 4)], out _));
    }

    [Fact]
    public void ReadsGoBackInTime_NotLinearizable()
    {
        // Once a read saw the concurrent write, a later read cannot see the old value.
        Assert.False(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 10), Get(2, "a", 1, 2), Get(3, null, 3, 4)], out _));
    }

    [Fact]
    public void UnknownOutcomePut_MayTakeEffectLateOrNever()
    {
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, KvOperation.Unknown), Get(2, null, 5, 6)], out _));
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, KvOperation.Unknown), Get(2, null, 5, 6), Get(3, "a", 7, 8)], out _));
        Assert.False(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, KvOperation.Unknown), Get(2, "a", 5, 6), Get(3, null, 7, 8)], out _));
    }

    [Fact]
    public void UnknownOutcomePut_CannotTakeEffectBeforeItsCall()
    {
        Assert.False(LinearizabilityChecker.IsLinearizable([Get(1, "a", 0, 1), Put(2, "a", 2, KvOperation.Unknown)], out _));
    }

    [Fact]
    public void UnknownOutcomeGet_IsIgnored()
    {
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 1), Get(2, "zzz", 2, KvOperation.Unknown)], out _));
    }

    [Fact]
    public void Keys_AreCheckedIndependently()
    {
        Assert.True(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 1, "x"), Get(2, null, 2, 3, "y"), Get(3, "a", 4, 5, "x")], out _));
        Assert.False(LinearizabilityChecker.IsLinearizable([Put(1, "a", 0, 1, "x"), Get(2, "a", 2, 3, "y")], out string? key));
        Assert.Equal("y", key);
    }

    [Fact]
    public void ManyConcurrentWriters_LastWriterDeterminedByReads()
    {
        // Three overlapping puts; reads after all completed must agree on one of them and stay there.
        var ops = new List<KvOperation> { Put(1, "a", 0, 10), Put(2, "b", 1, 11), Put(3, "c", 2, 12), Get(4, "b", 13, 14), Get(5, "b", 15, 16) };
        Assert.True(LinearizabilityChecker.IsLinearizable(ops, out _));
        ops.Add(Get(6, "c", 17, 18));
        Assert.False(LinearizabilityChecker.IsLinearizable(ops, out _));
    }

    [Fact]
    public void ManyUnobservedUnknownPuts_CheckStaysLinear()
    {
        // 2^60 subsets of unknown puts would never finish; unobserved ones are dropped.
        var ops = new List<KvOperation>();
        for (int i = 0; i < 60; i++)
        {
            ops.Add(Put(i, $"u{i}", i, KvOperation.Unknown));
        }

        ops.Add(Get(99, "u7", 98, 99));
        ops.Add(Put(100, "a", 100, 101));
        ops.Add(Get(101, "a", 102, 103));
        ops.Add(Get(102, "u7", 104, 105));
        Assert.False(LinearizabilityChecker.IsLinearizable(ops, out _)); // u7 was overwritten by a; it cannot return.
        ops.RemoveAt(ops.Count - 1);
        Assert.True(LinearizabilityChecker.IsLinearizable(ops, out _));
    }
}

using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class VnodeRingTests
{
    [Fact]
    public void DefaultRing_Has64ContiguousArcsCoveringTheWholeSpace()
    {
        var ring = new VnodeRing();
        Assert.Equal(64, ring.Count);
        Assert.Equal(0UL, ring.Start(0));
        Assert.Equal(ulong.MaxValue, ring.End(63));
        for (int i = 1; i < ring.Count; i++)
        {
            Assert.Equal(ring.End(i - 1) + 1, ring.Start(i));
            Assert.Equal(i, ring.VnodeOf(ring.Start(i)));
            Assert.Equal(i - 1, ring.VnodeOf(ring.Start(i) - 1));
        }
    }

    [Fact]
    public void HashTopic_IsStableXxHash64OfUtf8()
    {
        // Pinned values: changing the hash would move every topic to another vnode.
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64("orders"u8), VnodeRing.HashTopic("orders"));
        Assert.Equal(0xEF46DB3751D8E999UL, VnodeRing.HashTopic(string.Empty));
        Assert.Equal(VnodeRing.HashTopic("payments"), VnodeRing.HashTopic("payments"));
        Assert.NotEqual(VnodeRing.HashTopic("payments"), VnodeRing.HashTopic("Payments"));
    }

    [Fact]
    public void VnodeForTopic_SpreadsTopicsOverAllVnodes()
    {
        var ring = new VnodeRing();
        var counts = new int[ring.Count];
        for (int i = 0; i < 64_000; i++)
        {
            counts[ring.VnodeForTopic($"topic-{i}")]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void RangeId_PacksVnodeAndSequence_AndRoutesToItsVnode()
    {
        var ring = new VnodeRing();
        var id = RangeId.Create(37, 123_456);
        Assert.Equal(37, id.Vnode);
        Assert.Equal(123_456, id.Sequence);
        Assert.Equal(37, ring.VnodeForRange(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VnodeRing(8).VnodeForRange(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeId.Create(1, 1L << 48));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70_000)]
    public void Ring_InvalidCount_Throws(int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VnodeRing(count));
    }
}

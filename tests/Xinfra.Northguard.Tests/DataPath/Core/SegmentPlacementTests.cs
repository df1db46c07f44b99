using Xinfra.Northguard.DataPath.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Tests.DataPath.Core;

public sealed class SegmentPlacementTests
{
    private static readonly Dictionary<string, string> None = [];

    private static BrokerInfo Broker(ulong id, bool live = true) => new(id, "localhost", 9000 + (int)id, None, live);

    [Fact]
    public void Choose_EnoughLiveBrokers_LeastLoadedWithTheOpenerFirst()
    {
        BrokerInfo[] brokers = [Broker(1), Broker(2), Broker(3), Broker(4)];
        var load = new Dictionary<ulong, int> { [1] = 3, [2] = 0, [3] = 1, [4] = 0 };

        var chosen = SegmentPlacement.Choose(brokers, load, replicationFactor: 3, opener: 3);

        Assert.Equal([3UL, 2, 4], chosen);
    }

    [Fact]
    public void Choose_OpenerNotChosen_KeepsTheLoadOrder()
    {
        BrokerInfo[] brokers = [Broker(1), Broker(2), Broker(3)];
        var load = new Dictionary<ulong, int> { [1] = 5 };

        Assert.Equal([2UL, 3], SegmentPlacement.Choose(brokers, load, replicationFactor: 2, opener: 1));
    }

    [Fact]
    public void Choose_BrokerDown_MajorityOfTheFactor()
    {
        BrokerInfo[] brokers = [Broker(1), Broker(2), Broker(3, live: false)];

        Assert.Equal([1UL, 2], SegmentPlacement.Choose(brokers, new Dictionary<ulong, int>(), replicationFactor: 3, opener: 1));
        Assert.Null(SegmentPlacement.Choose(brokers, new Dictionary<ulong, int>(), replicationFactor: 3, opener: 1, allowMajority: false));
    }

    [Fact]
    public void Choose_FewerThanAMajorityLive_Null()
    {
        BrokerInfo[] brokers = [Broker(1), Broker(2, live: false), Broker(3, live: false)];

        Assert.Null(SegmentPlacement.Choose(brokers, new Dictionary<ulong, int>(), replicationFactor: 3, opener: 1));
    }

    [Fact]
    public void OpenSegmentsPerBroker_CountsOnlyOpenSegments()
    {
        var range = new RangeId(1);
        SegmentInfo[] segments =
        [
            new(new SegmentId(range, 0), SegmentState.Sealed, [1, 2], EndOffset: 10),
            new(new SegmentId(range, 1), SegmentState.Open, [2, 3], EndOffset: -1),
        ];

        var load = SegmentPlacement.OpenSegmentsPerBroker(segments);

        Assert.Equal(new Dictionary<ulong, int> { [2] = 1, [3] = 1 }, load);
    }
}

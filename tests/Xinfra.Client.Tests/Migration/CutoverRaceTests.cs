using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Client.Tests.Support;
using Xinfra.InMemory;
using Xinfra.Migration;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Migration;

/// <summary>
/// The race of decision 0005 "Found" (4), driven step by step through <see cref="MigrationCutover.PrepareAsync"/>: a
/// member defers the cutover (its scan found records on the source only) and goes back to the source while another
/// member, whose scan a moment later finds none (the backfill mirror caught up), writes the cut. Both had passed the
/// barrier, so without the confirmation checks both would deliver the source records past the cut's floor: one from
/// the source, the other from their target copies (duplicates). Source partition 0 holds offsets 0-9 written before
/// dual writing; the group committed 5.
/// </summary>
public sealed class CutoverRaceTests
{
    private const string Group = "billing";

    private static string Json(string phase) => TestHost.Migrating(phase)
        .Replace("\"Kind\": \"InMemory\", \"Bootstrap\": \"old-1\"", "\"Kind\": \"Northguard\", \"Bootstrap\": \"old-1\"", StringComparison.Ordinal);

    [Fact]
    public async Task DeferredMemberCommitsPastTheFloor_BeforeTheCutIsConfirmed_CutIsRetractedAndTakenAgainAboveIt()
    {
        var hook = new DescribeTopicHook();
        await using var host = await StartAsync(hook, mirrored: 10);
        var (route, cutover, source, tp) = Parts(host);

        // Inside the cutting member's scan (after its barrier and floor): a member that had deferred read 5-7 on the
        // source, committed 8 and left.
        hook.Arm(route.Source.Name, () => Commit(source, Group, tp, 8));
        var plan = await cutover.PrepareAsync(route, Group, CancellationToken.None);

        Assert.False(plan.Deferred);
        Assert.Equal(route.Target, plan.Read);
        var cut = plan.Filter!.Checkpoint;
        Assert.True(cut.Confirmed);
        Assert.Equal(3, cut.Flip); // 1: the stale cut, 2: its retraction, 3: the cut above the deferred member's commits.
        Assert.Equal(8, cut.SourceFloor[0]);
        Assert.False(plan.Filter.ShouldDeliver(0, 0, (0, 6)), "A record the deferred member delivered from the source is delivered again from the target.");
        Assert.True(plan.Filter.ShouldDeliver(0, 1, (0, 8)));
    }

    [Fact]
    public async Task MemberDefers_ThenAnotherCutsBeforeItJoinedTheSource_DeferralNoLongerHolds()
    {
        await using var host = await StartAsync(new DescribeTopicHook(), mirrored: 5);
        var (route, cutover, source, _) = Parts(host);

        var deferred = await cutover.PrepareAsync(route, Group, CancellationToken.None);
        Assert.True(deferred.Deferred);
        Assert.Equal(route.Source, deferred.Read);
        Assert.True(await cutover.DeferralHoldsAsync(route, Group, CancellationToken.None));

        // The mirror copies 5-9 to the target; the next member's scan is clean and it cuts at the group's floor, 5.
        Commit(source, TopicMirror.GroupFor("orders"), new TopicPartition(route.Source.Name, 0), 10);
        var cut = await cutover.PrepareAsync(route, Group, CancellationToken.None);
        Assert.Equal(route.Target, cut.Read);
        Assert.Equal(5, cut.Filter!.Checkpoint.SourceFloor[0]);
        Assert.True(cut.Filter.ShouldDeliver(0, 0, (0, 5)));

        // The deferred member has not delivered yet: it must not, or 5-9 would be delivered from both epochs.
        Assert.False(await cutover.DeferralHoldsAsync(route, Group, CancellationToken.None));
    }

    [Fact]
    public async Task Consumer_WhoseDeferralIsOvertakenBeforeItJoinsTheSource_DeliversNothingFromTheSource()
    {
        var hook = new DescribeTopicHook();
        await using var host = await StartAsync(hook, mirrored: 5);
        var (route, cutover, source, _) = Parts(host);

        // After the consumer decided to defer and before its source consumer joins: the mirror catches up and another
        // member cuts at 5 (confirmed: nobody is on the source yet).
        hook.Arm(route.Source.Name, consumerGroup: Group, action: () => Task.Run(async () =>
        {
            Commit(source, TopicMirror.GroupFor("orders"), new TopicPartition(route.Source.Name, 0), 10);
            var cut = await cutover.PrepareAsync(route, Group, CancellationToken.None);
            Assert.Equal(route.Target, cut.Read);
        }).GetAwaiter().GetResult());
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
        {
            GroupId = Group,
            CommitInterval = TimeSpan.FromMilliseconds(10),
            CutoverRetryInterval = TimeSpan.FromMinutes(1),
        });

        // Records 5-9 belong to the cut now (their target copies): the member follows it and gets nothing from the source.
        var delivered = new List<string>();
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var result in consumer.ConsumeAsync(window.Token))
            {
                delivered.Add($"{result.Cluster}:{result.Value}");
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Empty(delivered); // Without the check: k:5 … k:9 from the source, while the cut delivers their target copies.
        var transports = host.Services.GetRequiredService<TransportRegistry>();
        Assert.Equal(5, (await transports.Get(route.Source.Cluster).DescribeGroupAsync(Group, route.Source, CancellationToken.None)).Committed[0].Offset);
    }

    [Fact]
    public async Task MemberFlipsForward_WhileTheGroupFlipsForwardAndBackAgain_FollowsTheNewestSourceCheckpoint()
    {
        // KafkaMigrationTests' failure: a member still inside its forward flip (past its barrier, scanning) while the
        // phase goes to target and back to source, and the other member cuts over, reads the target and flips back.
        var hook = new DescribeTopicHook();
        await using var host = await StartAsync(hook, mirrored: 10);
        var (targetRoute, cutover, _, _) = Parts(host);
        var target = host.Cluster("new-1");
        for (var i = 5; i < 10; i++)
        {
            target.Append(targetRoute.Target!.Name, 0, new OutgoingRecord("k"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes($"k:{i}"), [new XinfraHeader(RecordHeaderNames.SourcePosition, System.Text.Encoding.UTF8.GetBytes($"0:{i}"))], DateTimeOffset.UnixEpoch));
        }

        hook.Arm(targetRoute.Source.Name, () => Task.Run(async () =>
        {
            // The other member: cuts at 5 (flip 1), delivers k:5 and k:6 from the target and commits 2 there; the
            // phase goes back to source and it flips the group back (flip 2: k:5 and k:6 delivered from the target).
            var cut = await cutover.PrepareAsync(targetRoute, Group, CancellationToken.None);
            Assert.Equal(targetRoute.Target, cut.Read);
            Commit(target, Group, new TopicPartition(targetRoute.Target!.Name, 0), 2);
            Assert.True(host.Configuration.TryApply(TestHost.Options(Json("DualWriteReadSource")), out _));
            var back = await cutover.PrepareAsync(host.Configuration.Current.Route("orders"), Group, CancellationToken.None);
            Assert.Equal(targetRoute.Source, back.Read);
            Assert.Equal(2, back.Filter!.Checkpoint.Flip);
        }).GetAwaiter().GetResult());

        var plan = await cutover.PrepareAsync(targetRoute, Group, CancellationToken.None);

        // Before the fix: the target with flip 2's filter, so k:7 … k:9 from the target while the other member
        // delivers them from the source.
        Assert.Equal(targetRoute.Source, plan.Read);
        Assert.True(plan.Deferred);
        Assert.Equal(2, plan.Filter!.Checkpoint.Flip);
        Assert.False(plan.Filter.ShouldDeliver(0, 6, null), "k:6 was delivered from the target before flip 2.");
        Assert.True(plan.Filter.ShouldDeliver(0, 7, null));
    }

    private static async Task<TestHost> StartAsync(DescribeTopicHook hook, long mirrored)
    {
        var host = TestHost.FromJson(Json("SourceOnly"), b =>
        {
            b.Services.AddSingleton(hook);
            b.AddTransport<DescribeTopicHookFactory>();
        });
        var transports = host.Services.GetRequiredService<TransportRegistry>();
        var route = host.Configuration.Current.Route("orders");
        await transports.EnsureTopicAsync(transports.Get(route.Source.Cluster), route.Source, CancellationToken.None);
        await transports.EnsureTopicAsync(transports.Get(route.Target!.Cluster), route.Target, CancellationToken.None);
        var source = host.Cluster("old-1");
        for (var i = 0; i < 10; i++)
        {
            source.Append(route.Source.Name, 0, new OutgoingRecord("k"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes($"k:{i}"), [], DateTimeOffset.UnixEpoch));
        }

        var tp = new TopicPartition(route.Source.Name, 0);
        Commit(source, Group, tp, 5);
        Commit(source, TopicMirror.GroupFor("orders"), tp, mirrored);
        Assert.True(host.Configuration.TryApply(TestHost.Options(Json("DualWriteReadSource")), out _));
        Assert.True(host.Configuration.TryApply(TestHost.Options(Json("DualWriteReadTarget")), out _));
        return host;
    }

    private static (TopicRoute Route, MigrationCutover Cutover, InMemoryCluster Source, TopicPartition Partition) Parts(TestHost host)
    {
        var transports = host.Services.GetRequiredService<TransportRegistry>();
        var route = host.Configuration.Current.Route("orders");
        var cutover = new MigrationCutover(transports, new CheckpointStore(transports, TimeProvider.System), TimeProvider.System, NullLogger.Instance, TimeSpan.FromSeconds(1));
        return (route, cutover, host.Cluster("old-1"), new TopicPartition(route.Source.Name, 0));
    }

    private static void Commit(InMemoryCluster cluster, string group, TopicPartition tp, long offset)
    {
        lock (cluster.Sync)
        {
            cluster.Group(group).Commit(tp, offset);
        }
    }
}

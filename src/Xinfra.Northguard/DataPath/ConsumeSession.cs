using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// One consume stream: pushes records of a range from its start offset, across sealed segments held here and the
/// open segment this broker leads (up to the offset durable on every replica), never beyond the client's credits.
/// Sends <c>Moved</c> when the next offset is served elsewhere and <c>End</c> when a retired range is read out.
/// </summary>
internal sealed partial class ConsumeSession(DataPathEngine engine)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _creditChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _creditRecords;
    private long _creditBytes;
    private bool _raw;
    private bool _acceptStoredBatches;

    public async Task RunAsync(IAsyncStreamReader<ConsumeRequest> requests, IServerStreamWriter<ConsumeResponse> responses, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, engine.Stopping);
        var token = cts.Token;
        if (!await requests.MoveNext(token).ConfigureAwait(false) || requests.Current.KindCase != ConsumeRequest.KindOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A consume stream starts with a start message."));
        }

        var start = requests.Current.Start;
        if (start.Offset < 0 || start.CreditRecords < 0 || start.CreditBytes < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Offset and credits must not be negative."));
        }

        AddCredit(start.CreditRecords, start.CreditBytes);
        var credits = ReadCreditsAsync(requests, token);
        try
        {
            _raw = start.Raw;
            _acceptStoredBatches = start.AcceptStoredBatches;
            await ServeAsync(start.Topic, new RangeId(start.RangeId), start.Offset, responses, token).ConfigureAwait(false);
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await credits.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException)
            {
                // The stream is over.
            }
        }
    }

    private async Task ServeAsync(string topic, RangeId rangeId, long offset, IServerStreamWriter<ConsumeResponse> responses, CancellationToken token)
    {
        while (true)
        {
            var description = await engine.DescribeAsync(topic, token).ConfigureAwait(false);
            var range = description.Ranges.FirstOrDefault(r => r.Id == rangeId)
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"Topic '{topic}' has no range {rangeId}."));
            var (segment, baseOffset, end) = Locate(description, rangeId, offset);
            if (segment is null)
            {
                if (offset > end)
                {
                    throw new RpcException(new Status(StatusCode.OutOfRange, $"Offset {offset} is beyond the end {end} of range {rangeId}."));
                }

                if (range.State == RangeState.Retired)
                {
                    var done = new ConsumeEnd();
                    done.Children.AddRange(range.Children.Select(c => c.Value));
                    await responses.WriteAsync(new ConsumeResponse { End = done }, token).ConfigureAwait(false);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), engine.Time, token).ConfigureAwait(false);
                continue;
            }

            if (segment.State == SegmentState.Deleted)
            {
                // Removed by retention: the client's route shows it deleted and moves on to the first retained offset.
                await MovedAsync(responses, offset, token).ConfigureAwait(false);
                return;
            }

            long storeId = StoreIds.Of(segment.Id);
            if (segment.State == SegmentState.Sealed)
            {
                if (engine.Store.GetSegment(storeId) is null)
                {
                    await ThrowIfTrimmedAsync(storeId, offset, token).ConfigureAwait(false);
                    await MovedAsync(responses, offset, token).ConfigureAwait(false);
                    return;
                }

                offset = await ServeSegmentAsync(storeId, offset, segment.EndOffset, responses, token).ConfigureAwait(false);
                continue;
            }

            var leader = engine.LeaderOf(segment.Id);
            if (leader is null)
            {
                if (segment.Replicas[0] == engine.BrokerId)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), engine.Time, token).ConfigureAwait(false);
                    continue;
                }

                await MovedAsync(responses, offset, token).ConfigureAwait(false);
                return;
            }

            using (engine.Store.OpenTailReader(storeId))
            {
                while (true)
                {
                    var changed = leader.Changed;
                    long committed = leader.Committed;
                    if (offset < committed)
                    {
                        offset = await ServeSegmentAsync(storeId, offset, committed, responses, token).ConfigureAwait(false);
                    }
                    else if (leader.IsSealing)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(5), engine.Time, token).ConfigureAwait(false);
                        break;
                    }
                    else
                    {
                        await changed.WaitAsync(token).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    /// <summary>A segment this broker deleted by retention: the offset is trimmed (an error), not elsewhere.</summary>
    private async Task ThrowIfTrimmedAsync(long storeId, long offset, CancellationToken token)
    {
        try
        {
            await engine.Store.ReadAsync(storeId, offset, 1, token).ConfigureAwait(false);
        }
        catch (OffsetOutOfRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }
        catch (Storage.SegmentNotFoundException)
        {
            // Not held here: another replica serves it.
        }
    }

    private static async Task MovedAsync(IServerStreamWriter<ConsumeResponse> responses, long offset, CancellationToken token) =>
        await responses.WriteAsync(new ConsumeResponse { Moved = new ConsumeMoved { Offset = offset } }, token).ConfigureAwait(false);

    /// <summary>The segment holding <paramref name="offset"/> with its base, or null and the range's current end.</summary>
    private static (Metadata.Model.SegmentInfo? Segment, long Base, long End) Locate(Metadata.StateMachine.TopicDescription description, RangeId rangeId, long offset)
    {
        long baseOffset = 0;
        foreach (var segment in description.Segments)
        {
            if (segment.Id.Range != rangeId)
            {
                continue;
            }

            if (segment.State == SegmentState.Open || offset < segment.EndOffset)
            {
                return offset >= baseOffset ? (segment, baseOffset, -1) : (null, baseOffset, baseOffset);
            }

            baseOffset = segment.EndOffset;
        }

        return (null, baseOffset, baseOffset);
    }
}

using System.Threading.Channels;
using Grpc.Core;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The follower side of a replicate stream: creates the segment, appends each batch at exactly the offset the
/// leader assigned, and reports the durable end after each WAL group commit, in order.
/// </summary>
internal static class ReplicaHandler
{
    public static async Task RunAsync(DataPathEngine engine, IAsyncStreamReader<ReplicateRequest> requests,
        IServerStreamWriter<ReplicateResponse> responses, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, engine.Stopping);
        var token = cts.Token;
        if (!await requests.MoveNext(token).ConfigureAwait(false) || requests.Current.KindCase != ReplicateRequest.KindOneofCase.Open)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A replicate stream starts with an open message."));
        }

        var open = requests.Current.Open;
        long segment = open.StoreSegmentId;
        var existing = engine.Store.GetSegment(segment);
        if (existing is null)
        {
            engine.Store.CreateSegment(segment, open.Topic, open.BaseOffset);
        }
        else if (existing.IsSealed || existing.NextOffset != open.BaseOffset)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Segment {segment} already exists here at offset {existing.NextOffset}."));
        }

        long next = open.BaseOffset;
        var durable = Channel.CreateUnbounded<(long Last, long Received)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reporting = ReportAsync(engine, segment, durable.Reader, responses, token);
        try
        {
            while (await requests.MoveNext(token).ConfigureAwait(false))
            {
                var message = requests.Current;
                if (message.KindCase == ReplicateRequest.KindOneofCase.Seal)
                {
                    durable.Writer.TryComplete();
                    await reporting.ConfigureAwait(false);
                    await engine.Store.SealSegmentAsync(segment, token).ConfigureAwait(false);
                    return;
                }

                var append = message.Append;
                if (append is null || append.BaseOffset != next || (append.Records.Count == 0 && append.Batch.IsEmpty))
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition,
                        $"Replicated append at offset {append?.BaseOffset} does not continue segment {segment} at {next}."));
                }

                var result = append.Batch.IsEmpty ? engine.Store.Append(segment, ToLog(append)) : AppendEncoded(engine, segment, append);
                next = result.LastOffset + 1;
                durable.Writer.TryWrite((result.LastOffset, LeaderStageMetrics.Enabled ? engine.Time.GetTimestamp() : 0));
                if (reporting.IsCompleted)
                {
                    await reporting.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            durable.Writer.TryComplete();
        }

        await reporting.ConfigureAwait(false);
    }

    private static LogRecord[] ToLog(ReplicateAppend append)
    {
        var records = new LogRecord[append.Records.Count];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = RecordCodec.ToLog(append.Records[i]);
        }

        return records;
    }

    private static AppendResult AppendEncoded(DataPathEngine engine, long segment, ReplicateAppend append)
    {
        try
        {
            return engine.Store.AppendEncoded(segment, append.Batch.Span);
        }
        catch (InvalidBatchException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Replicated append at offset {append.BaseOffset}: {e.Message}"));
        }
        finally
        {
            // The store copied the batch into its WAL group: the pooled array can go back.
            append.PooledBatch?.Release();
        }
    }

    private static async Task ReportAsync(DataPathEngine engine, long segment, ChannelReader<(long Last, long Received)> lastOffsets,
        IServerStreamWriter<ReplicateResponse> responses, CancellationToken cancellationToken)
    {
        await foreach (var (last, received) in lastOffsets.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            // Timed from the oldest append of the ones reported together (received: 0 when nobody listens).
            long latest = last;
            while (lastOffsets.TryRead(out var later))
            {
                latest = later.Last;
            }

            await engine.Store.WaitForDurableAsync(segment, latest, cancellationToken).ConfigureAwait(false);
            long durable = received != 0 ? engine.Time.GetTimestamp() : 0;
            await responses.WriteAsync(new ReplicateResponse { DurableOffset = latest + 1 }, cancellationToken).ConfigureAwait(false);
            if (received != 0)
            {
                LeaderStageMetrics.FollowerDurable.Record(engine.Time.GetElapsedTime(received, durable).TotalMilliseconds);
                LeaderStageMetrics.FollowerReported.Record(engine.Time.GetElapsedTime(durable).TotalMilliseconds);
            }
        }
    }
}

using System.Runtime.CompilerServices;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>Reading one range: pick the broker for the next offset, stream with credits, follow moves.</summary>
public sealed partial class NorthguardConsumerClient
{
    private async IAsyncEnumerable<NorthguardConsumedRecord> ConsumeRangeCoreAsync(string topic, ulong rangeId, long offset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = _connections.Options;
        int failures = 0;
        List<Storage.StoredRecord>? decoded = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? endpoint;
            try
            {
                var route = await _connections.RouteAsync(topic, cancellationToken).ConfigureAwait(false);
                (endpoint, bool ended, long retained) = PickEndpoint(route, rangeId, offset);
                if (retained > offset)
                {
                    // Retention deleted the records before `retained`: reading goes on from the oldest one kept (as
                    // Kafka's auto.offset.reset=earliest does); the offsets of the records returned show the gap.
                    offset = retained;
                }

                if (ended)
                {
                    yield break;
                }
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e) when (ClientErrors.IsTransient(e) && ++failures <= options.MaxRetries)
            {
                endpoint = null;
            }
            catch (RpcException e)
            {
                throw ClientErrors.ForConsume(topic, e);
            }

            if (endpoint is null)
            {
                await Task.Delay(options.RetryDelay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using var call = _connections.For(endpoint).Consume(cancellationToken: cancellationToken);
            bool end = false;
            bool start = true;
            while (!end)
            {
                ConsumeResponse? response;
                try
                {
                    response = await NextAsync(call, topic, rangeId, offset, options, start, AcceptStoredBatches, cancellationToken).ConfigureAwait(false);
                    start = false;
                }
                catch (RpcException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (RpcException e) when (ClientErrors.IsTransient(e) && ++failures <= options.MaxRetries)
                {
                    response = null;
                }
                catch (RpcException e)
                {
                    throw ClientErrors.ForConsume(topic, e);
                }

                if (response is null || response.KindCase == ConsumeResponse.KindOneofCase.Moved)
                {
                    if (response is null)
                    {
                        await Task.Delay(options.RetryDelay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                }

                if (response.KindCase == ConsumeResponse.KindOneofCase.End)
                {
                    end = true;
                    break;
                }

                failures = 0;
                long bytes = 0;
                int records = response.Batch.Records.Count;
                foreach (var consumed in response.Batch.Records)
                {
                    offset = consumed.Offset + 1;
                    bytes += consumed.Record.Key.Length + consumed.Record.Value.Length + consumed.Record.Headers.Sum(h => h.Name.Length + h.Value.Length);
                    yield return new NorthguardConsumedRecord(rangeId, consumed.Offset, ToRecord(consumed.Record));
                }

                if (response.Batch.StoredBatches.Count > 0)
                {
                    decoded ??= [];
                    decoded.Clear();
                    foreach (var stored in response.Batch.StoredBatches)
                    {
                        var (batchRecords, batchBytes) = StoredBatchReader.Decode(topic, rangeId, stored, offset, decoded);
                        records += batchRecords;
                        bytes += batchBytes;
                        if (decoded.Count > 0)
                        {
                            offset = decoded[^1].Offset + 1;
                        }
                    }

                    foreach (var stored in decoded)
                    {
                        yield return StoredBatchReader.ToConsumed(rangeId, stored);
                    }

                    decoded.Clear();
                }

                if (!await TrySendCreditAsync(call, records, bytes, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }

            if (end)
            {
                yield break;
            }
        }
    }

    /// <summary>Grants credits for a consumed batch; false when the stream broke (the caller reconnects).</summary>
    private static async Task<bool> TrySendCreditAsync(AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse> call, int records, long bytes, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(new ConsumeRequest { Credit = new ConsumeCredit { Records = records, Bytes = bytes } }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    private static async Task<ConsumeResponse?> NextAsync(AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse> call, string topic, ulong rangeId, long offset,
        NorthguardClientOptions options, bool start, bool acceptStoredBatches, CancellationToken cancellationToken)
    {
        if (start)
        {
            await call.RequestStream.WriteAsync(new ConsumeRequest
            {
                Start = new ConsumeStart
                {
                    Topic = topic, RangeId = rangeId, Offset = offset, CreditRecords = options.ConsumeCreditRecords, CreditBytes = options.ConsumeCreditBytes,
                    AcceptStoredBatches = acceptStoredBatches,
                },
            }, cancellationToken).ConfigureAwait(false);
        }

        return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
    }

    /// <summary>
    /// The broker serving <paramref name="offset"/> of the range, or that the retired range is read out; and the
    /// offset reading continues from (past the segments retention deleted).
    /// </summary>
    private static (string? Endpoint, bool Ended, long Offset) PickEndpoint(RouteResponse route, ulong rangeId, long offset)
    {
        var range = route.Ranges.FirstOrDefault(r => r.RangeId == rangeId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"The topic has no range {rangeId}."));
        long baseOffset = 0;
        foreach (var segment in range.Segments)
        {
            if (!segment.Sealed)
            {
                return (ClientConnections.EndpointOf(route, segment.Replicas[0]), false, offset);
            }

            if (segment.Deleted)
            {
                offset = Math.Max(offset, segment.EndOffset);
            }
            else if (offset < segment.EndOffset)
            {
                foreach (ulong replica in segment.Replicas)
                {
                    if (ClientConnections.EndpointOf(route, replica) is { } live)
                    {
                        return (live, false, offset);
                    }
                }

                return (null, false, offset);
            }

            baseOffset = segment.EndOffset;
        }

        return (null, !range.Active && offset >= baseOffset, offset);
    }
}

using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>One produce session: find the leader, handshake, pipeline appends within the window, take acks.</summary>
internal sealed partial class RangeProducer
{
    /// <summary>Runs one session until the segment is sealed or the stream fails; true when the handshake succeeded.</summary>
    private async Task<bool> RunSessionAsync(CancellationToken cancellationToken)
    {
        var route = await _connections.RouteAsync(_topic, cancellationToken).ConfigureAwait(false);
        string endpoint = PickEndpoint(route, RangeId);
        for (int redirects = 0; redirects < 5; redirects++)
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var call = _connections.For(endpoint).Produce(cancellationToken: session.Token);
            long first;
            bool resend;
            long ackedEnd;
            lock (_lock)
            {
                resend = _unacked.Count > 0;
                first = resend ? _unacked[0].Sequence : _nextSequence;
                ackedEnd = _ackedEnd;
            }

            await call.RequestStream.WriteAsync(new ProduceRequest
            {
                Open = new ProduceOpen { Topic = _topic, RangeId = RangeId, ProducerId = _producerId, FirstSequence = first, AckedEndOffset = ackedEnd, Resend = resend },
            }, session.Token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(session.Token).ConfigureAwait(false))
            {
                return false;
            }

            var response = call.ResponseStream.Current;
            if (response.KindCase == ProduceResponse.KindOneofCase.Redirect)
            {
                endpoint = response.Redirect.Endpoint;
                await session.CancelAsync().ConfigureAwait(false);
                continue;
            }

            if (response.KindCase != ProduceResponse.KindOneofCase.Opened)
            {
                return false;
            }

            await RunOpenedAsync(call, response.Opened, session).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async Task RunOpenedAsync(AsyncDuplexStreamingCall<ProduceRequest, ProduceResponse> call, ProduceOpened opened, CancellationTokenSource session)
    {
        int window = Math.Max(1, opened.Window);
        lock (_lock)
        {
            _sentIndex = 0;
        }

        _wake.Writer.TryWrite(true);
        var sending = SendAsync(call.RequestStream, opened.StreamId, () => window, session.Token);
        try
        {
            while (await call.ResponseStream.MoveNext(session.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.KindCase == ProduceResponse.KindOneofCase.Ack)
                {
                    window = Math.Max(1, response.Ack.Window);
                    OnAck(response.Ack);
                }
                else if (response.KindCase == ProduceResponse.KindOneofCase.Sealed)
                {
                    break;
                }
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
            {
                // The session is over; unacknowledged batches are resent by the next one.
            }
        }
    }

    private async Task SendAsync(IClientStreamWriter<ProduceRequest> requests, ulong streamId, Func<int> window, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Batch? next = null;
            lock (_lock)
            {
                if (_sentIndex < _unacked.Count && _sentIndex < window())
                {
                    next = _unacked[_sentIndex++];
                }
            }

            if (next is null)
            {
                await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var append = new ProduceAppend { StreamId = streamId, Sequence = next.Sequence, Batch = UnsafeByteOperations.UnsafeWrap(next.Encoded) };
            long writing = next.Times.Closed != 0 ? Options.TimeProvider.GetTimestamp() : 0;
            next.Times.Writing = writing;
            await requests.WriteAsync(new ProduceRequest { Append = append }, cancellationToken).ConfigureAwait(false);
            if (writing != 0)
            {
                var time = Options.TimeProvider;
                var records = ProducerStageMetrics.Records(next.Count);
                ProducerStageMetrics.Linger.Record(time.GetElapsedTime(next.Times.Created, next.Times.Closed).TotalMilliseconds, records);
                ProducerStageMetrics.Queued.Record(time.GetElapsedTime(next.Times.Closed, writing).TotalMilliseconds, records);
                ProducerStageMetrics.Write.Record(time.GetElapsedTime(writing).TotalMilliseconds, records);
            }
        }
    }

    private void OnAck(ProduceAck ack)
    {
        List<(Batch Batch, long BaseOffset)>? done = null;
        long now = ProducerStageMetrics.Enabled ? Options.TimeProvider.GetTimestamp() : 0;
        lock (_lock)
        {
            for (int i = 0; i < ack.BaseOffsets.Count; i++)
            {
                long sequence = ack.FirstSequence + i;
                if (_unacked.Count == 0 || _unacked[0].Sequence != sequence)
                {
                    continue; // An ack for a resent append already acknowledged.
                }

                var batch = _unacked[0];
                _unacked.RemoveAt(0);
                _sentIndex = Math.Max(0, _sentIndex - 1);
                _ackedEnd = Math.Max(_ackedEnd, ack.BaseOffsets[i] + batch.Count);
                if (batch.Times.Writing != 0 && now != 0)
                {
                    batch.Times.Acked = now;
                    ProducerStageMetrics.RoundTrip.Record(Options.TimeProvider.GetElapsedTime(batch.Times.Writing, now).TotalMilliseconds, ProducerStageMetrics.Records(batch.Count));
                }

                (done ??= []).Add((batch, ack.BaseOffsets[i]));
            }

            if (_unacked.Count == 0 && _open is not null && !_closed)
            {
                CloseOpenBatch(); // the pipe is empty: do not wait for the linger
            }
        }

        if (done is not null)
        {
            foreach (var (batch, baseOffset) in done)
            {
                batch.Acknowledge(baseOffset);
                batch.Dispose();
            }
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>The open segment's leader when it is live; otherwise any live broker (it opens or seals and redirects).</summary>
    private static string PickEndpoint(RouteResponse route, ulong rangeId)
    {
        foreach (var range in route.Ranges)
        {
            if (range.RangeId == rangeId && range.Segments.Count > 0 && !range.Segments[^1].Sealed
                && ClientConnections.EndpointOf(route, range.Segments[^1].Replicas[0]) is { } leader)
            {
                return leader;
            }
        }

        return route.Brokers.FirstOrDefault(b => b.Live)?.Endpoint ?? throw new RpcException(new Status(StatusCode.Unavailable, "No live broker."));
    }
}

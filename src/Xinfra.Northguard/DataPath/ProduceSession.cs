using System.Threading.Channels;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// One produce stream on the segment leader: the handshake, then appends within the window; acks and the seal
/// notice are queued from other threads and written by one writer.
/// </summary>
internal sealed class ProduceSession
{
    private static long s_nextStreamId;
    private readonly Channel<ProduceResponse> _out = Channel.CreateUnbounded<ProduceResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DataPathEngine _engine;
    private readonly ulong _streamId = (ulong)Interlocked.Increment(ref s_nextStreamId);
    private int _inFlight;

    public ProduceSession(DataPathEngine engine)
    {
        _engine = engine;
    }

    public async Task RunAsync(IAsyncStreamReader<ProduceRequest> requests, IServerStreamWriter<ProduceResponse> responses, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _engine.Stopping);
        var token = cts.Token;
        if (!await requests.MoveNext(token).ConfigureAwait(false) || requests.Current.KindCase != ProduceRequest.KindOneofCase.Open)
        {
            throw Refuse(StatusCode.InvalidArgument, "A produce stream starts with an open message.");
        }

        var open = requests.Current.Open;
        var (leader, redirect) = await _engine.OpenProduceAsync(open, token).ConfigureAwait(false);
        if (redirect is not null)
        {
            await responses.WriteAsync(new ProduceResponse { Redirect = redirect }, token).ConfigureAwait(false);
            return;
        }

        var stored = leader!.HasProducer(open.ProducerId) ? [] : await _engine.FindStoredAppendsAsync(open, leader, token).ConfigureAwait(false);
        leader.InitProducer(open.ProducerId, open.FirstSequence, stored);

        if (!leader.Attach(this))
        {
            await responses.WriteAsync(new ProduceResponse { Sealed = new ProduceSealed { EndOffset = leader.Committed } }, token).ConfigureAwait(false);
            return;
        }

        var writing = WriteAsync(responses, token);
        try
        {
            _out.Writer.TryWrite(new ProduceResponse
            {
                Opened = new ProduceOpened { StreamId = _streamId, Window = _engine.Options.ProduceWindow, SegmentSequence = leader.Id.Sequence, LastStoredSequence = -1 },
            });
            while (!writing.IsCompleted && await requests.MoveNext(token).ConfigureAwait(false))
            {
                Append(leader, open.ProducerId, requests.Current);
            }

            await writing.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            DataPathLog.ProduceRefused(_engine.Logger, e.Status.Detail);
            throw;
        }
        finally
        {
            leader.Detach(this);
            _out.Writer.TryComplete();
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The stream is over.
            }
        }
    }

    private void Append(SegmentLeader leader, ulong producerId, ProduceRequest request)
    {
        if (request.KindCase != ProduceRequest.KindOneofCase.Append || request.Append.StreamId != _streamId)
        {
            throw Refuse(StatusCode.InvalidArgument, $"Expected an append for stream {_streamId}.");
        }

        var append = request.Append;
        AppendOutcome outcome;
        try
        {
            var batch = AppendBatch.FromWire(append, producerId, _engine.Options.MaxRecordBytes);
            if (Interlocked.Increment(ref _inFlight) > _engine.Options.ProduceWindow)
            {
                throw Refuse(StatusCode.ResourceExhausted, $"Append {append.Sequence} exceeds the window of {_engine.Options.ProduceWindow} unacknowledged appends.");
            }

            outcome = leader.Append(this, producerId, append.Sequence, batch);
        }
        finally
        {
            // The store has its copy; follower writes hold their own references to the pooled batch.
            append.PooledBatch?.Release();
        }

        if (outcome.Kind == AppendOutcomeKind.Gap)
        {
            throw Refuse(StatusCode.FailedPrecondition, $"Sequence gap: got append {append.Sequence}, expected {outcome.ExpectedSequence}.");
        }
    }

    /// <summary>Queues acks for appends of this stream, in sequence order.</summary>
    public void SendAcks(List<AckedAppend> acked)
    {
        int i = 0;
        while (i < acked.Count)
        {
            var ack = new ProduceAck { FirstSequence = acked[i].Sequence };
            long expected = acked[i].Sequence;
            while (i < acked.Count && acked[i].Sequence == expected)
            {
                ack.BaseOffsets.Add(acked[i].BaseOffset);
                expected++;
                i++;
            }

            Interlocked.Add(ref _inFlight, -ack.BaseOffsets.Count);
            ack.Window = _engine.Options.ProduceWindow;
            _out.Writer.TryWrite(new ProduceResponse { Ack = ack });
        }
    }

    /// <summary>The segment was sealed at <paramref name="end"/>: tell the producer and end the stream.</summary>
    public void OnSealed(long end)
    {
        _out.Writer.TryWrite(new ProduceResponse { Sealed = new ProduceSealed { EndOffset = end } });
        _out.Writer.TryComplete();
    }

    private async Task WriteAsync(IServerStreamWriter<ProduceResponse> responses, CancellationToken cancellationToken)
    {
        await foreach (var response in _out.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));
}

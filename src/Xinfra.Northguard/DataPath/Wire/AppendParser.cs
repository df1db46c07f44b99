using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath.Wire;

/// <summary>
/// Broker-side deserializers for <see cref="ProduceRequest"/> and <see cref="ReplicateRequest"/>. An append carrying an
/// encoded batch (the hot path) is read with its batch copied into a <see cref="PooledBatch"/> instead of a new array
/// per append (batches are ~128 KiB: a large-object-heap allocation, page faults and gen-2 GCs on every broker). Any
/// other shape — an open, a seal, records as messages, an unknown or repeated field — is parsed by the generated
/// parser, so the wire format and what is accepted are unchanged.
/// </summary>
internal static class AppendParser
{
    private const uint AppendTag = (2 << 3) | 2;

    /// <summary>Deserializes a produce request (fields of <c>ProduceAppend</c>: 1 stream_id, 2 sequence, 4 batch).</summary>
    public static ProduceRequest ParseProduce(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        if (TryParseAppend(payload, batchField: 4, secondField: 2, out ulong first, out ulong second, out var pooled))
        {
            var append = new ProduceAppend { StreamId = first, Sequence = (long)second, Batch = UnsafeByteOperations.UnsafeWrap(pooled.Memory), PooledBatch = pooled };
            return new ProduceRequest { Append = append };
        }

        return ProduceRequest.Parser.ParseFrom(payload);
    }

    /// <summary>Deserializes a replicate request (fields of <c>ReplicateAppend</c>: 1 base_offset, 3 batch).</summary>
    public static ReplicateRequest ParseReplicate(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        if (TryParseAppend(payload, batchField: 3, secondField: 0, out ulong first, out _, out var pooled))
        {
            var append = new ReplicateAppend { BaseOffset = (long)first, Batch = UnsafeByteOperations.UnsafeWrap(pooled.Memory), PooledBatch = pooled };
            return new ReplicateRequest { Append = append };
        }

        return ReplicateRequest.Parser.ParseFrom(payload);
    }

    /// <summary>
    /// Reads <c>{ 2: { 1: varint, [secondField: varint,] batchField: bytes } }</c> and nothing else (fields in any order,
    /// each at most once, a non-empty batch); false for any other message, which the caller parses the ordinary way.
    /// </summary>
    internal static bool TryParseAppend(ReadOnlySequence<byte> payload, int batchField, int secondField,
        out ulong first, out ulong second, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PooledBatch? pooled)
    {
        first = 0;
        second = 0;
        pooled = null;
        var reader = new SequenceReader<byte>(payload);
        if (!TryReadVarint(ref reader, out ulong tag) || tag != AppendTag || !TryReadVarint(ref reader, out ulong length)
            || length != (ulong)reader.Remaining)
        {
            return false;
        }

        bool seenFirst = false;
        bool seenSecond = false;
        while (!reader.End)
        {
            if (!TryReadVarint(ref reader, out tag))
            {
                return Abandon(ref pooled);
            }

            if (tag == (1 << 3) && !seenFirst && TryReadVarint(ref reader, out first))
            {
                seenFirst = true;
            }
            else if (secondField != 0 && tag == (ulong)(secondField << 3) && !seenSecond && TryReadVarint(ref reader, out second))
            {
                seenSecond = true;
            }
            else if (tag == (ulong)((batchField << 3) | 2) && pooled is null && TryReadVarint(ref reader, out length)
                && length > 0 && length <= (ulong)reader.Remaining)
            {
                pooled = PooledBatch.Rent((int)length);
                reader.TryCopyTo(pooled.Fill());
                reader.Advance((long)length);
            }
            else
            {
                return Abandon(ref pooled);
            }
        }

        return pooled is not null;
    }

    private static bool Abandon(ref PooledBatch? pooled)
    {
        pooled?.Release();
        pooled = null;
        return false;
    }

    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out byte b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}

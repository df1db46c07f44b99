using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Xinfra.Serialization;

internal sealed class BytesSerde : ISerde<byte[]>
{
    public byte[]? Serialize(byte[]? data, in SerializationContext context) => data;

    public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, in SerializationContext context) =>
        isNull ? null : data.ToArray();
}

internal sealed class Utf8Serde : ISerde<string>
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public byte[]? Serialize(string? data, in SerializationContext context) => data is null ? null : Strict.GetBytes(data);

    public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, in SerializationContext context)
    {
        if (isNull)
        {
            return null;
        }

        try
        {
            return Strict.GetString(data);
        }
        catch (DecoderFallbackException ex)
        {
            throw new SerializationException($"Topic '{context.Topic}': the record {context.Component} is not valid UTF-8.", ex) { Topic = context.Topic };
        }
    }
}

internal sealed class Int64Serde : ISerde<long>
{
    public byte[]? Serialize(long data, in SerializationContext context)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, data);
        return bytes;
    }

    public long Deserialize(ReadOnlySpan<byte> data, bool isNull, in SerializationContext context)
    {
        if (isNull || data.Length != 8)
        {
            throw new SerializationException(
                $"Topic '{context.Topic}': the record {context.Component} has {(isNull ? "no bytes" : $"{data.Length} bytes")}; a 64-bit integer needs exactly 8.",
                null) { Topic = context.Topic };
        }

        return BinaryPrimitives.ReadInt64BigEndian(data);
    }
}

internal sealed class JsonSerde<T>(JsonTypeInfo<T> typeInfo) : ISerde<T>
{
    public byte[]? Serialize(T? data, in SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(data, typeInfo);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new SerializationException($"Topic '{context.Topic}': the record {context.Component} could not be written as JSON of {typeof(T).Name}: {ex.Message}", ex) { Topic = context.Topic };
        }
    }

    public T? Deserialize(ReadOnlySpan<byte> data, bool isNull, in SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize(data, typeInfo);
        }
        catch (JsonException ex)
        {
            throw new SerializationException($"Topic '{context.Topic}': the record {context.Component} is not JSON of {typeof(T).Name}: {ex.Message}", ex) { Topic = context.Topic };
        }
    }
}

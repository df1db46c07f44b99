using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Xinfra.Serialization;

/// <summary>The built-in serdes: bytes, UTF-8 strings, 64-bit integers and System.Text.Json.</summary>
public static class Serdes
{
    /// <summary>Bytes as they are.</summary>
    public static ISerde<byte[]> Bytes { get; } = new BytesSerde();

    /// <summary>Strings as UTF-8.</summary>
    public static ISerde<string> Utf8 { get; } = new Utf8Serde();

    /// <summary>64-bit integers, big-endian (as Kafka's LongSerializer).</summary>
    public static ISerde<long> Int64 { get; } = new Int64Serde();

    /// <summary>JSON with System.Text.Json and the given options (web defaults when null). Uses reflection metadata.</summary>
    public static ISerde<T> Json<T>(JsonSerializerOptions? options = null) =>
        new JsonSerde<T>((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)));

    /// <summary>JSON with source-generated metadata (trimming- and AOT-safe).</summary>
    public static ISerde<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonSerde<T>(typeInfo);
    }

    /// <summary>The default serde for <typeparamref name="T"/>: bytes, UTF-8 string, Int64, else JSON.</summary>
    public static ISerde<T> Default<T>()
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (ISerde<T>)Bytes;
        }

        if (typeof(T) == typeof(string))
        {
            return (ISerde<T>)Utf8;
        }

        if (typeof(T) == typeof(long))
        {
            return (ISerde<T>)Int64;
        }

        return Json<T>();
    }
}

namespace Xinfra.Serialization;

/// <summary>Turns a key or value into bytes.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
public interface ISerializer<in T>
{
    /// <summary>Serializes <paramref name="data"/>; null means the record has no key (or a null value).</summary>
    byte[]? Serialize(T? data, in SerializationContext context);
}

/// <summary>Turns bytes back into a key or value.</summary>
/// <typeparam name="T">The type deserialized.</typeparam>
public interface IDeserializer<out T>
{
    /// <summary>Deserializes <paramref name="data"/>; <paramref name="isNull"/> is true when the record had no key (or value).</summary>
    T? Deserialize(ReadOnlySpan<byte> data, bool isNull, in SerializationContext context);
}

/// <summary>A serializer and deserializer for the same type.</summary>
/// <typeparam name="T">The type.</typeparam>
public interface ISerde<T> : ISerializer<T>, IDeserializer<T>;

/// <summary>Which part of which record a serde is working on.</summary>
/// <param name="Topic">The logical topic.</param>
/// <param name="Component">Key or value.</param>
public readonly record struct SerializationContext(string Topic, MessageComponent Component);

/// <summary>The part of a record being serialized.</summary>
public enum MessageComponent
{
    /// <summary>The key.</summary>
    Key = 0,

    /// <summary>The value.</summary>
    Value = 1,
}

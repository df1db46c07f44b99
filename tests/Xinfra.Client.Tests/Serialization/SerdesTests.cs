using System.Text;
using Xinfra.Serialization;

namespace Xinfra.Client.Tests.Serialization;

public sealed class SerdesTests
{
    private static readonly SerializationContext Value = new("orders", MessageComponent.Value);

    public sealed record Order(string Id, decimal Amount, string[] Lines);

    [Fact]
    public void Utf8_RoundTrips_IncludingNonAscii()
    {
        var bytes = Serdes.Utf8.Serialize("grüße, 世界", Value);
        Assert.Equal("grüße, 世界", Serdes.Utf8.Deserialize(bytes, false, Value));
    }

    [Fact]
    public void Utf8_InvalidBytes_ThrowsSerializationExceptionNamingTopic()
    {
        var error = Assert.Throws<SerializationException>(() => Serdes.Utf8.Deserialize(new byte[] { 0xC3, 0x28 }, false, Value));
        Assert.Equal("orders", error.Topic);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_StaysNull()
    {
        Assert.Null(Serdes.Utf8.Serialize(null, Value));
        Assert.Null(Serdes.Utf8.Deserialize(default, true, Value));
        Assert.Null(Serdes.Bytes.Deserialize(default, true, Value));
        Assert.Null(Serdes.Json<Order>().Deserialize(default, true, Value));
    }

    [Fact]
    public void Bytes_AreCopiedOnRead()
    {
        var source = new byte[] { 1, 2, 3 };
        var read = Serdes.Bytes.Deserialize(source, false, Value)!;
        source[0] = 9;
        Assert.Equal(new byte[] { 1, 2, 3 }, read);
    }

    [Fact]
    public void Int64_IsBigEndian_AndChecksLength()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 2 }, Serdes.Int64.Serialize(258, Value));
        Assert.Equal(-5, Serdes.Int64.Deserialize(Serdes.Int64.Serialize(-5, Value), false, Value));
        var error = Assert.Throws<SerializationException>(() => Serdes.Int64.Deserialize(new byte[3], false, Value));
        Assert.Contains("exactly 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_RoundTripsRecords_WithWebNaming()
    {
        var serde = Serdes.Json<Order>();
        var bytes = serde.Serialize(new Order("o-1", 12.5m, ["a", "b"]), Value)!;
        Assert.Contains("\"amount\":12.5", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var order = serde.Deserialize(bytes, false, Value)!;
        Assert.Equal("o-1", order.Id);
        Assert.Equal(["a", "b"], order.Lines);
    }

    [Fact]
    public void Json_Garbage_ThrowsSerializationExceptionNamingTypeAndComponent()
    {
        var error = Assert.Throws<SerializationException>(() => Serdes.Json<Order>().Deserialize("{not json"u8, false, Value));
        Assert.Contains("Order", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_PicksBytesStringInt64ThenJson()
    {
        Assert.Same(Serdes.Bytes, Serdes.Default<byte[]>());
        Assert.Same(Serdes.Utf8, Serdes.Default<string>());
        Assert.Same(Serdes.Int64, Serdes.Default<long>());
        Assert.Equal("{\"id\":\"x\",\"amount\":1,\"lines\":[]}", Encoding.UTF8.GetString(Serdes.Default<Order>().Serialize(new Order("x", 1, []), Value)!));
    }
}

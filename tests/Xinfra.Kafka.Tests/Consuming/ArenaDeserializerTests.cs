using Confluent.Kafka;
using Xinfra.Kafka.Consuming;

namespace Xinfra.Kafka.Tests.Consuming;

public sealed class ArenaDeserializerTests
{
    private static readonly SerializationContext Context = new(MessageComponentType.Value, "t");

    [Fact]
    public void Deserialize_NullEmptySmallAndLarge_KeepsEachValueIntact()
    {
        var arena = new ArenaDeserializer();
        var large = new byte[5000];
        large.AsSpan().Fill(7);

        var none = arena.Deserialize([], isNull: true, Context);
        var empty = arena.Deserialize([], isNull: false, Context);
        var slices = Enumerable.Range(0, 200).Select(i => arena.Deserialize(new byte[] { (byte)i, (byte)(i + 1), 3 }, false, Context)).ToList();
        var big = arena.Deserialize(large, false, Context);

        Assert.Null(none);
        Assert.Equal(0, empty!.Value.Length);
        Assert.All(slices.Select((s, i) => (s, i)), p => Assert.Equal(new byte[] { (byte)p.i, (byte)(p.i + 1), 3 }, p.s!.Value.ToArray()));
        Assert.Equal(large, big!.Value.ToArray());
    }
}

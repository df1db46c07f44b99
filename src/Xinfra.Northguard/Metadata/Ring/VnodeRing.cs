using System.IO.Hashing;
using System.Text;

namespace Xinfra.Northguard.Metadata.Ring;

/// <summary>
/// The consistent-hash ring of metadata shards (vnodes): the 64-bit hash space cut into contiguous arcs, vnode
/// <c>i</c> owning <c>[Start(i), Start(i + 1))</c>. Topics map by the xxHash64 of their name; a range (and its
/// segments) maps to the vnode encoded in its <see cref="RangeId"/>, which is the vnode of its topic.
/// </summary>
public sealed class VnodeRing
{
    /// <summary>The default number of vnodes.</summary>
    public const int DefaultCount = 64;

    private readonly ulong[] _starts;

    /// <summary>Creates a ring of <paramref name="count"/> equal arcs.</summary>
    public VnodeRing(int count = DefaultCount)
    {
        if (count is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "A ring has between 1 and 65535 vnodes.");
        }

        _starts = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            _starts[i] = (ulong)(((UInt128)i << 64) / (uint)count);
        }
    }

    /// <summary>The number of vnodes.</summary>
    public int Count => _starts.Length;

    /// <summary>The first hash owned by <paramref name="vnode"/>.</summary>
    public ulong Start(int vnode) => _starts[vnode];

    /// <summary>The last hash owned by <paramref name="vnode"/> (inclusive).</summary>
    public ulong End(int vnode) => vnode == _starts.Length - 1 ? ulong.MaxValue : _starts[vnode + 1] - 1;

    /// <summary>The vnode owning <paramref name="hash"/>.</summary>
    public int VnodeOf(ulong hash)
    {
        int index = Array.BinarySearch(_starts, hash);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>The stable hash of a topic name (xxHash64 of its UTF-8 bytes, seed 0).</summary>
    public static ulong HashTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        int max = Encoding.UTF8.GetMaxByteCount(topic.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        int length = Encoding.UTF8.GetBytes(topic, buffer);
        return XxHash64.HashToUInt64(buffer[..length]);
    }

    /// <summary>The vnode holding a topic's metadata.</summary>
    public int VnodeForTopic(string topic) => VnodeOf(HashTopic(topic));

    /// <summary>The vnode holding a range's (and its segments') metadata.</summary>
    public int VnodeForRange(RangeId range)
    {
        if (range.Vnode >= _starts.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(range), $"Range {range} names vnode {range.Vnode} of a {Count}-vnode ring.");
        }

        return range.Vnode;
    }
}

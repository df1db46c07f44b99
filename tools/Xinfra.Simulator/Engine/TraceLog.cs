using System.IO.Hashing;
using System.Text;

namespace Xinfra.Simulator.Engine;

/// <summary>
/// The event trace of a run, reduced to a running 64-bit hash (xxHash64) so two runs can be compared byte for byte.
/// Notable events (<see cref="Write"/>) are hashed as text; message deliveries (<see cref="Message"/>) as numbers
/// (time, sender, receiver, message kind, call id, Raft index and term), their text only formatted when
/// <see cref="Echo"/> prints the step-by-step trace (replay), which keeps the hot path cheap. The hash does not
/// depend on <see cref="Echo"/>: a replay reproduces the hash of the run it replays.
/// </summary>
internal sealed class TraceLog(SimLoop loop)
{
    private readonly Dictionary<Type, ulong> _kindIds = [];
    private readonly XxHash64 _hash = new();
    private readonly byte[] _buffer = new byte[4096];
    private readonly long[] _numbers = new long[6];

    /// <summary>Where to print each line, or null.</summary>
    public TextWriter? Echo { get; set; }

    /// <summary>How many events were traced.</summary>
    public long Lines { get; private set; }

    /// <summary>Traces a notable event as text.</summary>
    public void Write(string line)
    {
        Lines++;
        var text = $"{loop.Now / TimeSpan.TicksPerMillisecond,9}.{loop.Now % TimeSpan.TicksPerMillisecond / 10:D4} {line}\n";
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= _buffer.Length)
        {
            int n = Encoding.UTF8.GetBytes(text, _buffer);
            _hash.Append(_buffer.AsSpan(0, n));
        }
        else
        {
            _hash.Append(Encoding.UTF8.GetBytes(text));
        }

        Echo?.Write(text);
    }

    /// <summary>Traces a message event (delivery or drop).</summary>
    public void Message(string what, int from, int to, object message)
    {
        Lines++;
        Echo?.Write($"{loop.Now / TimeSpan.TicksPerMillisecond,9}.{loop.Now % TimeSpan.TicksPerMillisecond / 10:D4} {what} {from}->{to} {message}\n");
        _numbers[0] = loop.Now;
        _numbers[1] = ((long)from << 32) | (uint)to;
        _numbers[2] = (long)KindOf(what.Length, message);
        (_numbers[3], _numbers[4]) = message switch
        {
            Request r => ((long)KindOf(0, r.Body), r.CallId),
            Reply r => ((long)KindOf(0, r.Body), r.CallId),
            RaftEnvelope r => (((long)r.Vnode << 8) | (long)r.Message.Type, r.Message.Index ^ (r.Message.Term << 40)),
            _ => (0, 0),
        };
        _numbers[5] = Lines;
        _hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_numbers.AsSpan()));
    }

    /// <summary>The hash of every event so far, as hex.</summary>
    public string Hash() => _hash.GetCurrentHashAsUInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private ulong KindOf(int salt, object message)
    {
        var type = message.GetType();
        if (!_kindIds.TryGetValue(type, out ulong id))
        {
            id = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(type.Name));
            _kindIds[type] = id;
        }

        return id ^ (ulong)salt;
    }
}

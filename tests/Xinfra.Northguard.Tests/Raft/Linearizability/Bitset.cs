namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>An immutable set of operation numbers with value equality (a memoisation key).</summary>
internal sealed class Bitset : IEquatable<Bitset>
{
    private readonly ulong[] _words;

    public Bitset(int size)
    {
        _words = new ulong[(size + 63) / 64];
    }

    private Bitset(ulong[] words)
    {
        _words = words;
    }

    public Bitset With(int bit)
    {
        var copy = (ulong[])_words.Clone();
        copy[bit >> 6] |= 1UL << (bit & 63);
        return new Bitset(copy);
    }

    public Bitset Without(int bit)
    {
        var copy = (ulong[])_words.Clone();
        copy[bit >> 6] &= ~(1UL << (bit & 63));
        return new Bitset(copy);
    }

    public bool Equals(Bitset? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as Bitset);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (ulong w in _words)
        {
            hash.Add(w);
        }

        return hash.ToHashCode();
    }
}

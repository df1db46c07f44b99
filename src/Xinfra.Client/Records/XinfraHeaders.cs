using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Xinfra;

/// <summary>An ordered list of record headers (name → bytes). Names may repeat, as in Kafka.</summary>
public sealed class XinfraHeaders : IReadOnlyList<XinfraHeader>
{
    private readonly List<XinfraHeader> _items;

    /// <summary>Creates an empty list.</summary>
    public XinfraHeaders() => _items = [];

    /// <summary>Creates a list holding <paramref name="headers"/>, in order.</summary>
    public XinfraHeaders(IEnumerable<XinfraHeader> headers) => _items = [.. headers];

    /// <summary>An empty, shared, read-only-by-convention instance; never add to it.</summary>
    internal static XinfraHeaders Empty { get; } = new();

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public XinfraHeader this[int index] => _items[index];

    /// <summary>Appends a header.</summary>
    public XinfraHeaders Add(string name, ReadOnlyMemory<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _items.Add(new XinfraHeader(name, value));
        return this;
    }

    /// <summary>Appends a header whose value is <paramref name="value"/> in UTF-8.</summary>
    public XinfraHeaders Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Removes every header named <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name) => _items.RemoveAll(h => string.Equals(h.Name, name, StringComparison.Ordinal));

    /// <summary>Finds the last header named <paramref name="name"/> (Kafka's convention for repeated names).</summary>
    public bool TryGetLast(string name, out ReadOnlyMemory<byte> value)
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
            {
                value = _items[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Finds the last header named <paramref name="name"/> and decodes it as UTF-8.</summary>
    public bool TryGetString(string name, [NotNullWhen(true)] out string? value)
    {
        if (TryGetLast(name, out var bytes))
        {
            value = Encoding.UTF8.GetString(bytes.Span);
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<XinfraHeader> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

namespace Xinfra;

/// <summary>One record header: a name and a value. Names may repeat; order is kept.</summary>
/// <param name="Name">The header name.</param>
/// <param name="Value">The header value; may be empty.</param>
public readonly record struct XinfraHeader(string Name, ReadOnlyMemory<byte> Value);

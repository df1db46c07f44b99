using System.Buffers.Binary;
using System.Numerics;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>CRC32C (Castagnoli), hardware accelerated where the CPU supports it.</summary>
internal static class Crc32C
{
    /// <summary>Computes the CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>
    /// The CRC32C of a buffer whose CRC was <paramref name="crc"/>, after the 8 little-endian bytes
    /// <paramref name="oldValue"/> followed by <paramref name="bytesAfter"/> bytes were replaced by
    /// <paramref name="newValue"/> — without reading the buffer again (CRC is linear: the change's contribution is
    /// the raw CRC of the xor, carried through the remaining bytes by multiplying with x^(8·bytesAfter) mod P).
    /// </summary>
    public static uint Patch8(uint crc, ulong oldValue, ulong newValue, long bytesAfter)
    {
        ulong delta = oldValue ^ newValue;
        if (delta == 0)
        {
            return crc;
        }

        uint change = BitOperations.Crc32C(0u, delta);
        return crc ^ MultiplyModP(XPow8n(bytesAfter), change);
    }

    // Reflected CRC32C polynomial; bit 31 is x^0 in the reflected representation.
    private const uint Polynomial = 0x82F63B78u;
    private static readonly uint[] s_xPow2n = BuildPowers();

    private static uint[] BuildPowers()
    {
        // s_xPow2n[k] = x^(2^k) mod P.
        var powers = new uint[64];
        powers[0] = 1u << 30; // x^1
        for (int k = 1; k < powers.Length; k++)
        {
            powers[k] = MultiplyModP(powers[k - 1], powers[k - 1]);
        }

        return powers;
    }

    /// <summary>x^(8·n) mod P, by the binary expansion of 8·n.</summary>
    private static uint XPow8n(long n)
    {
        uint result = 1u << 31; // x^0
        int k = 3; // 8 = 2^3
        while (n != 0)
        {
            if ((n & 1) != 0)
            {
                result = MultiplyModP(s_xPow2n[k], result);
            }

            n >>= 1;
            k++;
        }

        return result;
    }

    /// <summary>a·b mod P in the reflected bit order.</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }

        return product;
    }
}

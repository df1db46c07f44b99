using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>CRC32C (Castagnoli), hardware accelerated where the CPU supports it.</summary>
internal static class Crc32C
{
    /// <summary>Computes the CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        crc = Interleaved(crc, ref data, LargeBlock, s_shiftLarge, s_shift2Large);
        crc = Interleaved(crc, ref data, SmallBlock, s_shiftSmall, s_shift2Small);
        return ~Serial(crc, data);
    }

    /// <summary>
    /// The CRC32C of <c>a</c> followed by <c>b</c> from the CRC32C of each and the length of <c>b</c>, without reading
    /// either (zlib's crc32_combine): the running CRC of <c>a</c> carried through <paramref name="lengthB"/> bytes, xor
    /// the CRC of <c>b</c> (the initial value and the final xor cancel out).
    /// </summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB) => MultiplyModP(XPow8n(lengthB), crcA) ^ crcB;

    // Block sizes for three interleaved CRC streams: the crc32 instruction takes 3 cycles but issues every cycle, so
    // three independent streams run about three times faster than one; the three CRCs are then joined by shifting.
    private const int LargeBlock = 4096;
    private const int SmallBlock = 256;

    /// <summary>8 bytes at <paramref name="at"/> as a little-endian value (the caller checked the bounds).</summary>
    private static ulong ReadLittleEndian(ref byte at)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref at);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    private static uint Serial(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>
    /// Consumes whole runs of three <paramref name="block"/>-byte blocks from <paramref name="data"/>: the first block
    /// continues <paramref name="crc"/>, the other two start at 0, and the three raw registers are joined as
    /// shift(c0, 2·block) ^ shift(c1, block) ^ c2 (the raw register is linear in its start value).
    /// </summary>
    private static uint Interleaved(uint crc, ref ReadOnlySpan<byte> data, int block, uint shift, uint shift2)
    {
        while (data.Length >= 3 * block)
        {
            ref byte a = ref MemoryMarshal.GetReference(data);
            ref byte b = ref Unsafe.Add(ref a, block);
            ref byte c = ref Unsafe.Add(ref a, 2 * block);
            uint c0 = crc;
            uint c1 = 0;
            uint c2 = 0;
            for (int i = 0; i < block; i += 8)
            {
                c0 = BitOperations.Crc32C(c0, ReadLittleEndian(ref Unsafe.Add(ref a, i)));
                c1 = BitOperations.Crc32C(c1, ReadLittleEndian(ref Unsafe.Add(ref b, i)));
                c2 = BitOperations.Crc32C(c2, ReadLittleEndian(ref Unsafe.Add(ref c, i)));
            }

            crc = MultiplyModP(shift2, c0) ^ MultiplyModP(shift, c1) ^ c2;
            data = data[(3 * block)..];
        }

        return crc;
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
    private static readonly uint s_shiftLarge = XPow8n(LargeBlock);
    private static readonly uint s_shift2Large = XPow8n(2 * LargeBlock);
    private static readonly uint s_shiftSmall = XPow8n(SmallBlock);
    private static readonly uint s_shift2Small = XPow8n(2 * SmallBlock);

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

namespace Bluezone.Device.Storage.Internal;

/// <summary>
/// Unsigned LEB128 (7 bits a byte, high bit "more follows") and zig-zag for signed values: the in-memory
/// store's compact day streams are mostly small differences, which this writes in one byte.
/// </summary>
internal static class VarInt
{
    /// <summary>The most bytes one value can take.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes long or long enough) and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[n++] = (byte)value;
        return n;
    }

    /// <summary>Reads one value at <paramref name="position"/> and moves it past the value.</summary>
    public static ulong Read(ReadOnlySpan<byte> source, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}

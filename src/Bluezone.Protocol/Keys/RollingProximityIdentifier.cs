using System.Buffers.Binary;
using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Keys;

/// <summary>
/// The 16-byte identifier a phone broadcasts for one interval. Held as two big-endian 64-bit halves so
/// that equality, hashing and ordering (by bytes) are a couple of integer operations: matching compares
/// millions of them.
/// </summary>
public readonly record struct RollingProximityIdentifier(ulong High, ulong Low) : IComparable<RollingProximityIdentifier>
{
    public const int Length = 16;

    public static RollingProximityIdentifier FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            ThrowHelper.ThrowFormat($"A rolling proximity identifier has {Length} bytes, not {bytes.Length}.");
        }

        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public static RollingProximityIdentifier Parse(string hex) => FromBytes(Hex.Parse(hex, "RPI", Length));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public int CompareTo(RollingProximityIdentifier other)
    {
        var c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Hex.Format(bytes);
    }
}

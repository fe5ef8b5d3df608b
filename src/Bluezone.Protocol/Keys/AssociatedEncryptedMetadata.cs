using System.Buffers.Binary;
using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Keys;

/// <summary>The 4 encrypted metadata bytes broadcast beside an RPI (big-endian in <see cref="Value"/>).</summary>
public readonly record struct AssociatedEncryptedMetadata(uint Value)
{
    public const int Length = 4;

    public static AssociatedEncryptedMetadata FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            ThrowHelper.ThrowFormat($"Associated encrypted metadata has {Length} bytes, not {bytes.Length}.");
        }

        return new(BinaryPrimitives.ReadUInt32BigEndian(bytes));
    }

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Hex.Format(bytes);
    }
}

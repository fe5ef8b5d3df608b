using System.Buffers.Binary;
using System.Security.Cryptography;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Contacts;

/// <summary>
/// What an F0 uploads for each RPI it heard close enough to count toward risk (DESIGN.md §6; the limit is set in Device/Reporting): the first 16 bytes of
/// <c>SHA-256("BZ-HEARD-v1" ‖ RPI)</c>. The server holds only these hashes; given an F1's published key it can
/// derive that key's RPIs, hash them the same way and check the contact proof, but it cannot reverse a
/// token into an identifier, nor link it to anyone.
/// </summary>
public readonly record struct HeardToken(ulong High, ulong Low)
{
    public const int Length = 16;

    private static ReadOnlySpan<byte> Domain => "BZ-HEARD-v1"u8;

    public static HeardToken FromRollingProximityIdentifier(RollingProximityIdentifier rpi)
    {
        Span<byte> input = stackalloc byte[11 + RollingProximityIdentifier.Length];
        Domain.CopyTo(input);
        rpi.WriteTo(input[Domain.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return FromBytes(hash[..Length]);
    }

    public static HeardToken FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            ThrowHelper.ThrowFormat($"A heard token has {Length} bytes, not {bytes.Length}.");
        }

        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

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

    public override string ToString() => Hex.Format(ToArray());
}

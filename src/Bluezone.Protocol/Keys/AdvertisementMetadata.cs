using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Keys;

/// <summary>
/// The plaintext of the associated encrypted metadata (DESIGN.md §3): protocol version, how well the
/// phone's transmit power is calibrated, and the transmit power itself, which the receiver needs to turn
/// RSSI into attenuation once it has matched the key.
/// </summary>
public readonly record struct AdvertisementMetadata(byte MajorVersion, byte MinorVersion, byte CalibrationConfidence, sbyte TxPowerDbm)
{
    public const int Length = 4;

    /// <summary>Version 1.0, confidence 0, 8 dBm: the value of the specification's test vectors (<c>40080000</c>).</summary>
    public static AdvertisementMetadata Default { get; } = new(1, 0, 0, 8);

    public static AdvertisementMetadata ForTxPower(sbyte txPowerDbm, byte calibrationConfidence = 0) => new(1, 0, calibrationConfidence, txPowerDbm);

    public void WriteTo(Span<byte> destination)
    {
        if (MajorVersion > 3 || MinorVersion > 3 || CalibrationConfidence > 3)
        {
            ThrowHelper.ThrowArgument(nameof(MajorVersion), "Version and calibration confidence fields are two bits each (0–3).");
        }

        destination[0] = (byte)((MajorVersion << 6) | (MinorVersion << 4) | (CalibrationConfidence << 2));
        destination[1] = unchecked((byte)TxPowerDbm);
        destination[2] = 0;
        destination[3] = 0;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Decodes 4 bytes; reserved bytes are ignored so later minor versions stay readable.</summary>
    public static AdvertisementMetadata Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            ThrowHelper.ThrowFormat($"Metadata has {Length} bytes, not {bytes.Length}.");
        }

        var b0 = bytes[0];
        return new((byte)(b0 >> 6), (byte)((b0 >> 4) & 3), (byte)((b0 >> 2) & 3), unchecked((sbyte)bytes[1]));
    }
}

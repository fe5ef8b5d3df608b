using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Advertising;

/// <summary>
/// The legacy 31-byte BLE advertisement of DESIGN.md §4:
/// <c>02 01 1A</c> (flags) ‖ <c>03 03 56 4E</c> (16-bit service list) ‖ <c>17 16 56 4E</c> RPI(16) AEM(4) (service data).
/// </summary>
public readonly record struct BluezoneAdvertisement(RollingProximityIdentifier Rpi, AssociatedEncryptedMetadata Aem)
{
    /// <summary>Total length of the advertisement payload.</summary>
    public const int Length = 31;

    /// <summary>The 16-bit service UUID 0x4E56 ("VN"), i.e. 00004E56-0000-1000-8000-00805F9B34FB.</summary>
    public const ushort ServiceUuid16 = 0x4E56;

    public static Guid ServiceUuid { get; } = new("00004E56-0000-1000-8000-00805F9B34FB");

    internal const byte FlagsType = 0x01;
    internal const byte CompleteServiceUuids16Type = 0x03;
    internal const byte ServiceData16Type = 0x16;

    /// <summary>LE General Discoverable, BR/EDR not supported, simultaneous LE and BR/EDR (controller and host).</summary>
    internal const byte FlagsValue = 0x1A;

    internal const int ServiceDataLength = 2 + RollingProximityIdentifier.Length + AssociatedEncryptedMetadata.Length;

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The advertisement needs {Length} bytes.", nameof(destination));
        }

        ReadOnlySpan<byte> prefix = [0x02, FlagsType, FlagsValue, 0x03, CompleteServiceUuids16Type, 0x56, 0x4E, 0x17, ServiceData16Type, 0x56, 0x4E];
        prefix.CopyTo(destination);
        Rpi.WriteTo(destination.Slice(11, RollingProximityIdentifier.Length));
        Aem.WriteTo(destination.Slice(27, AssociatedEncryptedMetadata.Length));
    }

    /// <summary>Parses an advertisement strictly; see <see cref="AdvertisementParser"/>.</summary>
    public static BluezoneAdvertisement Parse(ReadOnlySpan<byte> payload) => AdvertisementParser.Parse(payload);

    /// <summary>
    /// Tells a Bluezone advertisement from any other advertiser without exceptions: a phone hears many
    /// non-Bluezone devices every scan and must not pay for an exception each time.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out BluezoneAdvertisement advertisement) =>
        AdvertisementParser.TryParse(payload, out advertisement, out _);
}

using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Sightings.Internal;

/// <summary>
/// Tells whether what a scanner delivered carries a Bluezone identifier. The strict protocol parser is tried
/// first (the exact 31 bytes a Bluezone phone sends); failing that, the AD structures are walked for the
/// Bluezone service data alone, because platforms deliver more or less than the exact payload: a scan response
/// appended, zero padding beyond 31 bytes, a TX power or name structure added by another implementation.
/// What identifies a Bluezone sighting is the 0x4E56 service data carrying a 16-byte RPI and a 4-byte AEM.
/// </summary>
internal static class BluezonePayload
{
    private const byte ServiceData16 = 0x16;

    public static bool TryExtract(ReadOnlySpan<byte> payload, out BluezoneAdvertisement advertisement)
    {
        if (BluezoneAdvertisement.TryParse(payload, out advertisement))
        {
            return true;
        }

        var offset = 0;
        while (offset < payload.Length)
        {
            int length = payload[offset];
            if (length == 0 || offset + 1 + length > payload.Length)
            {
                break; // end of significant data, or a truncated structure
            }

            var data = payload.Slice(offset + 2, length - 1);
            if (payload[offset + 1] == ServiceData16
                && data.Length == 2 + RollingProximityIdentifier.Length + AssociatedEncryptedMetadata.Length
                && (data[0] | (data[1] << 8)) == BluezoneAdvertisement.ServiceUuid16)
            {
                advertisement = new BluezoneAdvertisement(
                    RollingProximityIdentifier.FromBytes(data.Slice(2, RollingProximityIdentifier.Length)),
                    AssociatedEncryptedMetadata.FromBytes(data.Slice(2 + RollingProximityIdentifier.Length)));
                return true;
            }

            offset += 1 + length;
        }

        advertisement = default;
        return false;
    }
}

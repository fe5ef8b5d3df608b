using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Advertising;

/// <summary>
/// Walks the AD structures (length, type, data) of a received advertisement. Strict: the payload must be
/// exactly the 31 bytes Bluezone sends, every structure must fit, flags must be present, the service list
/// and the service data must both name 0x4E56, and nothing else may appear. Scanners on some platforms
/// append zero padding to a shorter payload; a zero length byte ends the walk only when every byte after
/// it is zero too, which is the Core Specification's "significant part" rule.
/// </summary>
public static class AdvertisementParser
{
    public static BluezoneAdvertisement Parse(ReadOnlySpan<byte> payload)
    {
        if (!TryParse(payload, out var advertisement, out var error))
        {
            ThrowHelper.ThrowFormat(error);
        }

        return advertisement;
    }

    public static bool TryParse(ReadOnlySpan<byte> payload, out BluezoneAdvertisement advertisement, out string error)
    {
        advertisement = default;
        if (payload.Length != BluezoneAdvertisement.Length)
        {
            error = $"advertisement must be {BluezoneAdvertisement.Length} bytes, got {payload.Length}";
            return false;
        }

        bool sawFlags = false, sawServiceList = false, sawServiceData = false;
        var offset = 0;
        while (offset < payload.Length)
        {
            int length = payload[offset];
            if (length == 0)
            {
                if (payload[offset..].ContainsAnyExcept((byte)0))
                {
                    error = $"AD structure at byte {offset} has length 0 but is followed by data";
                    return false;
                }

                break;
            }

            if (offset + 1 + length > payload.Length)
            {
                error = $"AD structure at byte {offset} declares {length} bytes but only {payload.Length - offset - 1} remain (truncated)";
                return false;
            }

            var type = payload[offset + 1];
            var data = payload.Slice(offset + 2, length - 1);
            switch (type)
            {
                case BluezoneAdvertisement.FlagsType:
                    if (sawFlags || data.Length != 1)
                    {
                        error = $"flags AD structure at byte {offset} is repeated or not 1 byte long";
                        return false;
                    }

                    sawFlags = true;
                    break;

                case BluezoneAdvertisement.CompleteServiceUuids16Type:
                    if (sawServiceList || data.Length != 2 || ReadUuid16(data) != BluezoneAdvertisement.ServiceUuid16)
                    {
                        error = $"service UUID list at byte {offset} must hold exactly the Bluezone UUID 0x4E56";
                        return false;
                    }

                    sawServiceList = true;
                    break;

                case BluezoneAdvertisement.ServiceData16Type:
                    if (sawServiceData)
                    {
                        error = $"service data at byte {offset} is repeated";
                        return false;
                    }

                    if (data.Length < 2 || ReadUuid16(data) != BluezoneAdvertisement.ServiceUuid16)
                    {
                        error = data.Length < 2
                            ? $"service data at byte {offset} is too short to hold a UUID"
                            : $"service data at byte {offset} is for UUID 0x{ReadUuid16(data):X4}, not the Bluezone UUID 0x4E56";
                        return false;
                    }

                    if (data.Length != BluezoneAdvertisement.ServiceDataLength)
                    {
                        error = $"service data must carry a 16-byte RPI and a 4-byte AEM (22 bytes), got {data.Length}";
                        return false;
                    }

                    advertisement = new BluezoneAdvertisement(
                        RollingProximityIdentifier.FromBytes(data.Slice(2, RollingProximityIdentifier.Length)),
                        AssociatedEncryptedMetadata.FromBytes(data.Slice(2 + RollingProximityIdentifier.Length, AssociatedEncryptedMetadata.Length)));
                    sawServiceData = true;
                    break;

                default:
                    error = $"unexpected AD type 0x{type:X2} at byte {offset}";
                    return false;
            }

            offset += 1 + length;
        }

        if (!sawServiceData)
        {
            error = "no Bluezone service data (UUID 0x4E56) in the advertisement";
            return false;
        }

        if (!sawServiceList || !sawFlags)
        {
            error = sawFlags ? "the complete 16-bit service UUID list is missing" : "the flags AD structure is missing";
            advertisement = default;
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static ushort ReadUuid16(ReadOnlySpan<byte> data) => (ushort)(data[0] | (data[1] << 8));
}

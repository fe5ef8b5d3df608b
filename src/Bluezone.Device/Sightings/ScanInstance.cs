using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Sightings;

/// <summary>
/// All sightings of one RPI in one scan (DESIGN.md §5), the unit that matching later turns into exposure
/// windows: typical (rounded mean) and minimum attenuation, and the seconds this scan stands for.
/// The AEM is kept because it can only be decrypted once the sender's key is published.
/// </summary>
/// <param name="EncounterId">The encounter this RPI was linked into (history counts; never leaves the phone).</param>
public readonly record struct ScanInstance(
    RollingProximityIdentifier Rpi,
    AssociatedEncryptedMetadata Aem,
    long ScanStartUnixMs,
    byte TypicalAttenuation,
    byte MinAttenuation,
    int SecondsSinceLastScan,
    long EncounterId)
{
    public DateTimeOffset ScanStart => DateTimeOffset.FromUnixTimeMilliseconds(ScanStartUnixMs);
}

/// <summary>What one closed scan amounted to, besides its scan instances: counts only, no addresses.</summary>
/// <param name="OtherDevices">Distinct non-Bluezone advertiser addresses heard in the scan (a scan lasts at most 60 s).</param>
/// <param name="OtherCloseDevices">Those of them heard at close attenuation.</param>
public readonly record struct ScanSummary(
    long StartUnixMs,
    long EndUnixMs,
    int SecondsSinceLastScan,
    int BluezoneRpis,
    int OtherDevices,
    int OtherCloseDevices);

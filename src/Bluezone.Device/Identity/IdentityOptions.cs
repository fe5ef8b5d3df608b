namespace Bluezone.Device.Identity;

/// <summary>The radio duty cycle (DESIGN.md §4) and how identifiers rotate. Defaults are GAEN's.</summary>
public sealed class IdentityOptions
{
    /// <summary>Advertising interval (DESIGN.md: 200–270 ms).</summary>
    public TimeSpan AdvertisingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The RPI and address change at each interval boundary plus a random offset in [0, this], drawn anew
    /// for every boundary, so phones nearby do not all rotate at the same instant.
    /// </summary>
    public TimeSpan MaxRotationOffset { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Length of a background scan (GAEN: 4 s).</summary>
    public TimeSpan ScanWindow { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Background scans start every [min, max] (random, GAEN: 210–300 s), start to start.</summary>
    public TimeSpan ScanPeriodMin { get; set; } = TimeSpan.FromSeconds(210);

    public TimeSpan ScanPeriodMax { get; set; } = TimeSpan.FromSeconds(300);

    public void Validate()
    {
        if (AdvertisingInterval < TimeSpan.FromMilliseconds(20) || AdvertisingInterval > TimeSpan.FromSeconds(10.24))
        {
            throw new ArgumentException($"AdvertisingInterval must be within 20 ms – 10.24 s (Bluetooth Core), not {AdvertisingInterval}.");
        }

        if (MaxRotationOffset < TimeSpan.Zero || MaxRotationOffset >= TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"MaxRotationOffset must be within [0, 10 min), not {MaxRotationOffset}.");
        }

        if (ScanWindow <= TimeSpan.Zero || ScanPeriodMin < ScanWindow || ScanPeriodMax < ScanPeriodMin || ScanPeriodMax > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("Scanning: 0 < ScanWindow ≤ ScanPeriodMin ≤ ScanPeriodMax ≤ 1 h.");
        }
    }
}

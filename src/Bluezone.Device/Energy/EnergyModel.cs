namespace Bluezone.Device.Energy;

/// <summary>One line of an energy estimate: what draws, how much a day, and from which figures.</summary>
public sealed record EnergyItem(string Name, double MilliampHoursPerDay, string Basis);

/// <summary>An estimate of the battery the duty cycle costs per day.</summary>
public sealed record EnergyEstimate(IReadOnlyList<EnergyItem> Items, double BatteryMilliampHours)
{
    public double MilliampHoursPerDay => Items.Sum(i => i.MilliampHoursPerDay);

    public double PercentPerDay => 100 * MilliampHoursPerDay / BatteryMilliampHours;
}

/// <summary>
/// Battery cost of Bluezone's radio duty cycle (DESIGN.md §1 promise 5: under 10 % a day by default).
/// Each figure is published; where a phone figure is derived, the derivation is written beside it.
/// </summary>
public static class EnergyModel
{
    /// <summary>
    /// Radio current while transmitting at 0 dBm: 10.5 mA, nRF51822 Product Specification v3.1, Table 36
    /// (I_TX,0dBm, LDO mode) — a typical BLE radio; the receive figure of the same table (I_RX,1M 13 mA) is
    /// the one REFERENCE.md quotes.
    /// </summary>
    public const double TransmitMilliamps = 10.5;

    /// <summary>Radio ramp-up before each transmission: 140 µs, nRF51822 Product Specification v3.1 (t_TXEN).</summary>
    public const double TransmitRampUpMicroseconds = 140;

    /// <summary>
    /// On-air time of one legacy non-connectable advertisement on LE 1M (1 µs per bit, Bluetooth Core 5.x
    /// Vol 6 Part B §2.1 and §2.3): preamble 1 + access address 4 + header 2 + AdvA 6 + AdvData 31 + CRC 3
    /// = 47 bytes = 376 µs; sent on the three advertising channels each event.
    /// </summary>
    public const double AdvertisementAirtimeMicroseconds = 47 * 8;

    public const int AdvertisingChannels = 3;

    /// <summary>
    /// Extra current of a whole phone while a scan runs: 206.7 mA. Derived from the Nexus 5 totals in
    /// REFERENCE.md ("Radio and energy"): 268 mA scanning in LOW_POWER mode (512 ms window every 5,120 ms,
    /// 10 % duty) and 454 mA in LOW_LATENCY mode (100 % duty), so one unit of scan duty costs
    /// (454 − 268) / (1 − 0.1) mA. This includes the processor and host stack kept awake by the scan, which
    /// is why it is much more than the radio's own 13 mA. Cross-check: Herald's measured 1.2–2.5 % per hour
    /// for continuous 1–3 s scans every few seconds (REFERENCE.md) is the same order as this model gives for
    /// such a duty cycle (about 2.8 %/h at 40 % duty on 3,000 mAh), so the model errs on the expensive side.
    /// </summary>
    public const double ScanMilliamps = (454.0 - 268.0) / (1 - (512.0 / 5120.0));

    public static EnergyEstimate Estimate(TimeSpan advertisingInterval, TimeSpan scanPeriod, TimeSpan scanWindow, double batteryMilliampHours)
    {
        if (advertisingInterval < TimeSpan.FromMilliseconds(20) || advertisingInterval > TimeSpan.FromSeconds(10.24))
        {
            throw new ArgumentException($"The advertising interval must be within 20–10240 ms, not {advertisingInterval.TotalMilliseconds} ms.");
        }

        if (scanWindow <= TimeSpan.Zero || scanPeriod <= TimeSpan.Zero || scanWindow > scanPeriod)
        {
            throw new ArgumentException($"The scan window ({scanWindow.TotalSeconds} s) must be positive and no longer than the scan period ({scanPeriod.TotalSeconds} s).");
        }

        if (!(batteryMilliampHours > 0) || batteryMilliampHours > 100_000)
        {
            throw new ArgumentException($"The battery capacity must be within (0, 100000] mAh, not {batteryMilliampHours}.");
        }

        const double secondsPerDay = 86_400;
        var events = secondsPerDay / advertisingInterval.TotalSeconds;
        var transmitSeconds = events * AdvertisingChannels * (AdvertisementAirtimeMicroseconds + TransmitRampUpMicroseconds) / 1e6;
        var advertising = TransmitMilliamps * transmitSeconds / 3600;

        var scanSeconds = secondsPerDay / scanPeriod.TotalSeconds * scanWindow.TotalSeconds;
        var scanning = ScanMilliamps * scanSeconds / 3600;

        return new EnergyEstimate(
            [
                new EnergyItem("advertising", advertising, $"{events:F0} events × {AdvertisingChannels} channels × {AdvertisementAirtimeMicroseconds + TransmitRampUpMicroseconds:F0} µs at {TransmitMilliamps} mA (nRF51822 PS v3.1; Core spec airtime)"),
                new EnergyItem("scanning", scanning, $"{scanSeconds:F0} s scanning at {ScanMilliamps:F1} mA (Nexus 5 LOW_LATENCY − LOW_POWER totals)"),
            ],
            batteryMilliampHours);
    }
}

namespace Bluezone.Device.Sightings;

/// <summary>How sightings are grouped into scans. Defaults follow the Exposure Notification implementation (REFERENCE.md).</summary>
public sealed class SightingOptions
{
    /// <summary>
    /// Sightings closer together than this belong to the same scan: about 1.5 × (scan length + 13 s) for a
    /// 4 s scan. The same rule serves a live radio, a replayed log and the simulator, so no path needs the
    /// radio's own start/stop events to know where a scan ends.
    /// </summary>
    public TimeSpan ScanGap { get; set; } = TimeSpan.FromSeconds(25.5);

    /// <summary>
    /// Whether <see cref="BluezoneDevice"/> closes a background scan the moment it stops scanning, instead of
    /// <see cref="ScanGap"/> after its last sighting. On by default: the device knows the scan is over, so the
    /// records (the same either way) are written at once, a scan that stopped before midnight counts in that
    /// day's history, and the device needs one wake less per scan (the simulator pumps millions). The
    /// scan-gap rule still applies either way (replays, continuous scanning, a host that never stops).
    /// </summary>
    public bool CloseScanWhenScanningStops { get; set; } = true;

    /// <summary>
    /// Whether to keep the "scan around" screen's view of who was heard in the last 60 s
    /// (<see cref="BluezoneDevice.Live"/>). On by default. Nothing else reads it — the contact log, encounters
    /// and history are the same without it — so a phone whose screen is never shown (each phone of a simulated
    /// city) goes without and saves an update per sender heard.
    /// </summary>
    public bool LiveView { get; set; } = true;

    /// <summary>
    /// Continuous scanning (the "scan around" screen) is cut into scans of at most this length. It must
    /// not exceed 60 s: non-Bluezone addresses are deduplicated within a scan and forgotten after it.
    /// </summary>
    public TimeSpan MaxScanDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Seconds a scan stands for are the time since the previous scan, capped here (5 min, as GAEN).</summary>
    public int MaxSecondsSinceLastScan { get; set; } = 300;

    /// <summary>Seconds the first scan after a start stands for, when there is no previous scan (GAEN's 2 min default).</summary>
    public int FirstScanSeconds { get; set; } = 120;

    /// <summary>The calibrated transmit power assumed for senders whose metadata cannot be decrypted yet (DESIGN.md §5).</summary>
    public sbyte DefaultSenderTxPowerDbm { get; set; } = Proximity.CalibrationTable.DefaultTxPowerDbm;

    public void Validate()
    {
        if (ScanGap <= TimeSpan.Zero || ScanGap > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"ScanGap must be within (0, 60 s], not {ScanGap}.");
        }

        if (MaxScanDuration <= TimeSpan.Zero || MaxScanDuration > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentException($"MaxScanDuration must be within (0, 60 s] so non-Bluezone addresses are never held longer, not {MaxScanDuration}.");
        }

        if (MaxSecondsSinceLastScan is < 1 or > 3600 || FirstScanSeconds < 1 || FirstScanSeconds > MaxSecondsSinceLastScan)
        {
            throw new ArgumentException("Scan seconds: 1 ≤ FirstScanSeconds ≤ MaxSecondsSinceLastScan ≤ 3600.");
        }

        if (DefaultSenderTxPowerDbm is < -50 or > 20)
        {
            throw new ArgumentException($"DefaultSenderTxPowerDbm must be within [−50, 20] dBm, not {DefaultSenderTxPowerDbm}.");
        }
    }
}

namespace Bluezone.Device.Encounters;

/// <summary>How rotated RPIs are linked into encounters; the method is described on <c>Internal/EncounterLinker</c> and in docs/device.md.</summary>
public sealed class EncounterOptions
{
    /// <summary>
    /// An RPI (or a non-Bluezone level) unheard for longer than this has left; its successor must appear
    /// within this time. Ten minutes tolerates one missed background scan (scans are 210–300 s apart).
    /// </summary>
    public TimeSpan LinkWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A successor must appear in the scan right after its predecessor was last heard, or after at most this
    /// many scans in which neither was heard (a phone in a pocket can miss one). With continuous scanning cut
    /// into 30 s scans this keeps "appears within a few seconds" tight; with background scans the link window
    /// is the tighter bound.
    /// </summary>
    public int MaxMissedScans { get; set; } = 1;

    /// <summary>
    /// The successor's typical attenuation may differ from its predecessor's last by at most this. A typical
    /// attenuation averages a scan's sightings, so per-sighting noise mostly cancels; wider tolerates a phone whose
    /// signal changes between scans, narrower mistakes fewer departures plus arrivals for rotations.
    /// </summary>
    public int MaxAttenuationDifferenceDb { get; set; } = 6;

    /// <summary>Peers rotate at an interval boundary plus a random offset: up to this long after the boundary.</summary>
    public TimeSpan RotationOffsetAllowance { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>Peers' clocks may be this far off ours, either way.</summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromMinutes(1);

    public void Validate()
    {
        if (LinkWindow < TimeSpan.FromSeconds(10) || LinkWindow > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"LinkWindow must be within 10 s – 1 h, not {LinkWindow}.");
        }

        if (MaxMissedScans is < 0 or > 100)
        {
            throw new ArgumentException($"MaxMissedScans must be within 0–100, not {MaxMissedScans}.");
        }

        if (MaxAttenuationDifferenceDb is < 0 or > 100)
        {
            throw new ArgumentException($"MaxAttenuationDifferenceDb must be within 0–100, not {MaxAttenuationDifferenceDb}.");
        }

        if (RotationOffsetAllowance < TimeSpan.Zero || ClockSkewAllowance < TimeSpan.Zero
            || RotationOffsetAllowance + ClockSkewAllowance + ClockSkewAllowance > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("RotationOffsetAllowance + 2 × ClockSkewAllowance must be within 0–10 min.");
        }
    }
}

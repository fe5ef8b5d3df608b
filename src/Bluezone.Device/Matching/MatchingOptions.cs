using Bluezone.Device.Proximity;

namespace Bluezone.Device.Matching;

/// <summary>The replay defences of DESIGN.md §5 (Google's matcher uses the same values; REFERENCE.md).</summary>
public sealed class MatchingOptions
{
    /// <summary>A sighting counts for an RPI only within this many intervals of the RPI's own (±2 h).</summary>
    public int AcceptIntervals { get; set; } = 12;

    /// <summary>Sightings of an RPI later than this after its first sighting are taken for a replay.</summary>
    public TimeSpan ReplayCutoff { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Plausible tx power from a decrypted AEM; anything else is garbage or an attack.</summary>
    public int MinTxPowerDbm { get; set; } = -50;

    public int MaxTxPowerDbm { get; set; } = 20;

    /// <summary>
    /// The sender tx power the phone assumed when it stored attenuations (before it could know the sender);
    /// matching replaces it with the true one. Must equal <c>SightingOptions.DefaultSenderTxPowerDbm</c>.
    /// </summary>
    public int AssumedTxPowerDbm { get; set; } = CalibrationTable.DefaultTxPowerDbm;

    public void Validate()
    {
        if (AcceptIntervals is < 0 or > 144 || ReplayCutoff < TimeSpan.Zero || MinTxPowerDbm > MaxTxPowerDbm)
        {
            throw new ArgumentException("Matching options: AcceptIntervals 0–144, ReplayCutoff ≥ 0 and MinTxPowerDbm ≤ MaxTxPowerDbm are required.");
        }
    }
}

using Bluezone.Protocol.Export;

namespace Bluezone.Device.Matching;

/// <summary>
/// Up to 30 minutes of scan instances that matched one published key (DESIGN.md §5). Attenuations are
/// corrected with the sender's true tx power from its decrypted metadata.
/// </summary>
/// <param name="KeyIndex">Index of the matched key in the list that was matched.</param>
public sealed record ExposureWindow(
    int KeyIndex,
    ExportedKey Key,
    DateTimeOffset Start,
    sbyte SenderTxPowerDbm,
    IReadOnlyList<MatchedScanInstance> ScanInstances)
{
    /// <summary>The longest time one window covers.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(30);

    public DateOnly Day => DateOnly.FromDateTime(Start.UtcDateTime);
}

/// <summary>One scan's sightings of a matched RPI, with attenuation on the sender's true tx power.</summary>
public readonly record struct MatchedScanInstance(DateTimeOffset Time, int TypicalAttenuation, int MinAttenuation, int Seconds);

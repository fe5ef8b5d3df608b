namespace Bluezone.Device.Encounters;

/// <summary>What a stored encounter row stands for.</summary>
public enum EncounterKind
{
    /// <summary>One Bluezone phone: a chain of linked RPIs.</summary>
    Bluezone = 1,

    /// <summary>One non-Bluezone advertiser, estimated from per-scan counts (no address is kept).</summary>
    OtherDevice = 2,

    /// <summary>One non-Bluezone advertiser at close range, estimated from per-scan counts of close devices.</summary>
    OtherCloseDevice = 3,
}

/// <summary>
/// An encounter's share of one UTC day: the history counts rows of this. <see cref="CloseSeconds"/> is the time
/// spent in the close buckets; whether that makes a close contact is decided when the history is read, so a
/// new threshold from the server applies to past days too.
/// </summary>
public readonly record struct EncounterDay(
    long EncounterId,
    int UnixDay,
    EncounterKind Kind,
    long FirstUnixMs,
    long LastUnixMs,
    int Seconds,
    int CloseSeconds,
    int Rpis);

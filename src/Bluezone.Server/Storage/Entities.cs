namespace Bluezone.Server.Storage;

/// <summary>An authority system allowed to issue verification codes. Only the SHA-256 of the key is kept.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required byte[] KeyHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One confirmed case's one-time code, in its two forms (short and long). Both forms and the case reference are
/// stored only as keyed hashes, so the table alone lets nobody redeem a code or list the cases.
/// </summary>
public sealed class VerificationCode
{
    public Guid Id { get; set; }

    public required byte[] ShortCodeHash { get; set; }

    public required byte[] LongCodeHash { get; set; }

    public required byte[] CaseReferenceHash { get; set; }

    public Guid ApiKeyId { get; set; }

    public DateOnly TestDate { get; set; }

    public DateOnly? SymptomOnsetDate { get; set; }

    /// <summary>GAEN report type: 1 confirmed test, 2 clinical diagnosis.</summary>
    public int ReportType { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset ShortExpiresAt { get; set; }

    public DateTimeOffset LongExpiresAt { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }
}

/// <summary>The single-use upload token a verified code turns into; stored as a keyed hash.</summary>
public sealed class UploadToken
{
    public Guid Id { get; set; }

    public required byte[] TokenHash { get; set; }

    public int ReportType { get; set; }

    public DateOnly TestDate { get; set; }

    public DateOnly? SymptomOnsetDate { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// A published temporary exposure key waiting for, or already in, an export. <see cref="ExportBatchId"/> is set
/// exactly once, by the conditional update that puts the key in a batch.
/// </summary>
public sealed class PublishedKey
{
    public long Id { get; set; }

    public required byte[] KeyData { get; set; }

    public int RollingStartIntervalNumber { get; set; }

    public int RollingPeriod { get; set; }

    public int ReportType { get; set; }

    public int? DaysSinceOnsetOfSymptoms { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>When the key has expired on the phone and may be published (keys are held until then).</summary>
    public DateTimeOffset AvailableAt { get; set; }

    public long? ExportBatchId { get; set; }
}

/// <summary>The heard tokens of one F0 upload, with the window in which that F0 could have heard them.</summary>
public sealed class HeardTokenSet
{
    public long Id { get; set; }

    /// <summary>First interval of the F0's infectious window.</summary>
    public int WindowStartIntervalNumber { get; set; }

    /// <summary>Interval of the upload: nothing later can have been heard.</summary>
    public int WindowEndIntervalNumber { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public List<StoredHeardToken> Tokens { get; set; } = [];
}

/// <summary>One heard token, as its two 64-bit halves so providers index and compare it as integers.</summary>
public sealed class StoredHeardToken
{
    public long Id { get; set; }

    public long SetId { get; set; }

    public long High { get; set; }

    public long Low { get; set; }
}

/// <summary>One publication period. Its end is unique, so no period is published twice.</summary>
public sealed class ExportBatch
{
    public long Id { get; set; }

    public DateTimeOffset StartTime { get; set; }

    public DateTimeOffset EndTime { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int KeyCount { get; set; }

    public int FileCount { get; set; }

    public List<ExportFile> Files { get; set; } = [];
}

/// <summary>A signed export zip, kept in the database so every instance serves the same bytes.</summary>
public sealed class ExportFile
{
    public long Id { get; set; }

    public long BatchId { get; set; }

    public required string Name { get; set; }

    public int BatchNumber { get; set; }

    public int BatchSize { get; set; }

    public required byte[] Content { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The publisher lease: whichever instance holds an unexpired lease publishes.</summary>
public sealed class Lease
{
    public required string Name { get; set; }

    public string? Holder { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The community count for one UTC day: a number, nothing about who joined.</summary>
public sealed class CommunityDay
{
    public DateOnly Day { get; set; }

    public long Joins { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The hash of a join proof already counted, kept only until its challenge expires, so a proof cannot be
/// replayed. It is a hash of random bytes chosen for one join, not an identifier of the device.
/// </summary>
public sealed class SpentJoinProof
{
    public required byte[] ProofHash { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

namespace Bluezone.Server.Storage;

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

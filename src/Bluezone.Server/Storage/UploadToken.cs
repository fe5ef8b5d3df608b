namespace Bluezone.Server.Storage;

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

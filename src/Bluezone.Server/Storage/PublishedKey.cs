namespace Bluezone.Server.Storage;

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

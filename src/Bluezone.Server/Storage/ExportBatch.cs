namespace Bluezone.Server.Storage;

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

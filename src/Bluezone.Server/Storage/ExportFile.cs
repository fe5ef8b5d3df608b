namespace Bluezone.Server.Storage;

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

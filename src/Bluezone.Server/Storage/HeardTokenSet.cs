namespace Bluezone.Server.Storage;

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

namespace Bluezone.Server.Storage;

/// <summary>One heard token, as its two 64-bit halves so providers index and compare it as integers.</summary>
public sealed class StoredHeardToken
{
    public long Id { get; set; }

    public long SetId { get; set; }

    public long High { get; set; }

    public long Low { get; set; }
}

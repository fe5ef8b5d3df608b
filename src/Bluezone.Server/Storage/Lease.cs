namespace Bluezone.Server.Storage;

/// <summary>The publisher lease: whichever instance holds an unexpired lease publishes.</summary>
public sealed class Lease
{
    public required string Name { get; set; }

    public string? Holder { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

namespace Bluezone.Server.Storage;

/// <summary>The community count for one UTC day: a number, nothing about who joined.</summary>
public sealed class CommunityDay
{
    public DateOnly Day { get; set; }

    public long Joins { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

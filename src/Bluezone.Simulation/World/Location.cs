namespace Bluezone.Simulation.World;

/// <summary>Where a person is during one 5-minute step: a place and a position in it (metres).</summary>
public readonly record struct Location(int Place, float X, float Y)
{
    public static Location Nowhere { get; } = new(-1, 0, 0);

    public bool IsSomewhere => Place >= 0;

    public static double Distance(in Location a, in Location b)
    {
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        return Math.Sqrt((dx * dx) + (dy * dy));
    }
}

public enum PlaceKind
{
    Home,
    Workplace,
    School,
    Bus,
    Shop,
    Other,
}

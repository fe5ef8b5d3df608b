namespace Bluezone.Simulation.World;

/// <summary>
/// The city as the simulator sees it: people, places, and where each person is at each 5-minute step. The
/// simulator asks only this, so tests can script a world by hand (<see cref="ScriptedCity"/>) and the demo
/// generates one (<see cref="GeneratedCity"/>).
/// </summary>
public abstract class Whereabouts
{
    public const int StepMinutes = 5;
    public const int StepsPerDay = 24 * 60 / StepMinutes;

    public abstract int PersonCount { get; }

    public abstract int PlaceCount { get; }

    public abstract PlaceKind KindOf(int place);

    /// <summary>The household of <paramref name="person"/> (a place index).</summary>
    public abstract int HomeOf(int person);

    /// <summary>Where <paramref name="person"/> is on <paramref name="day"/> (0 = first) at <paramref name="minute"/> of the day.</summary>
    public abstract Location Locate(int person, int day, int minute);

    /// <summary>Where <paramref name="person"/> is when staying home all day (quarantine, isolation).</summary>
    public abstract Location AtHome(int person, int day, int minute);

    /// <summary>
    /// Called once before everyone is located at <paramref name="minute"/> of <paramref name="day"/>, possibly
    /// from several threads: a world that shares work between people (spots drawn for the whole city) does it
    /// here, once, instead of in the first <see cref="Locate"/> of each thread.
    /// </summary>
    public virtual void PrepareStep(int day, int minute)
    {
    }
}

namespace Bluezone.Simulation;

/// <summary>
/// The one clock of a run, shared by every phone and the in-process server: it shows simulated time and moves
/// only when the simulator moves it. Timers (which the server's framework creates) still run on real time;
/// nothing the simulation measures depends on them.
/// </summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}

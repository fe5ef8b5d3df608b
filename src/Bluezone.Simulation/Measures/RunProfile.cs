using System.Diagnostics;

namespace Bluezone.Simulation.Measures;

/// <summary>
/// Where a run's wall time went, phase by phase (stopwatch around each part of a step), for
/// <c>bluezone simulate --profile</c> and docs/simulation.md. Timings only: never part of the metrics.
/// </summary>
public sealed class RunProfile
{
    private readonly long[] _ticks = new long[Enum.GetValues<RunPhase>().Length];

    /// <summary>Seconds spent in each phase.</summary>
    public IReadOnlyDictionary<RunPhase, double> Seconds =>
        Enum.GetValues<RunPhase>().ToDictionary(p => p, p => (double)_ticks[(int)p] / Stopwatch.Frequency);

    /// <summary>Phones checked against newly published identifiers (one per phone and sync with new files).</summary>
    public long PhoneChecks { get; internal set; }

    /// <summary>Of those, phones that had heard one of them and so ran the full matching.</summary>
    public long PhoneMatches { get; internal set; }

    /// <summary>Phone-days simulated (phones installed × days they ran).</summary>
    public long PhoneDays { get; internal set; }

    /// <summary>
    /// Thread time inside the device's <c>Pump</c> (all lanes; part of <see cref="RunPhase.PumpAndHear"/>),
    /// estimated from one wake in 16 (reading the clock around every wake cost more than a percent of a run).
    /// </summary>
    public double DevicePumpSeconds => (double)_pumpTicks / Stopwatch.Frequency;

    /// <summary>Thread time delivering advertisements, the device's <c>Ingest</c> included (estimated likewise).</summary>
    public double HearSeconds => (double)_hearTicks / Stopwatch.Frequency;

    /// <summary>The largest managed heap seen at the end of a day (after the day's garbage, before a collection).</summary>
    public long PeakHeapBytes { get; private set; }

    /// <summary>
    /// Confirmed (F0) uploads tried and the wall time they took from the authority's code to the server's answer
    /// (part of <see cref="RunPhase.ServerExchange"/>).
    /// </summary>
    public UploadTimes ConfirmedUploads { get; } = new();

    /// <summary>Recursive uploads tried and the wall time they took (part of <see cref="RunPhase.ServerExchange"/>).</summary>
    public UploadTimes RecursiveUploads { get; } = new();

    private long _pumpTicks;
    private long _hearTicks;

    internal void AddLane(long pumpTicks, long hearTicks)
    {
        _pumpTicks += pumpTicks;
        _hearTicks += hearTicks;
    }

    internal void SampleHeap() => PeakHeapBytes = Math.Max(PeakHeapBytes, GC.GetTotalMemory(false));

    internal long Start() => Stopwatch.GetTimestamp();

    internal void Stop(RunPhase phase, long started) => _ticks[(int)phase] += Stopwatch.GetTimestamp() - started;

    /// <summary>Adds another run's times (the two runs of a scenario).</summary>
    internal void Add(RunProfile other)
    {
        for (var i = 0; i < _ticks.Length; i++)
        {
            _ticks[i] += other._ticks[i];
        }

        PhoneDays += other.PhoneDays;
        PhoneChecks += other.PhoneChecks;
        PhoneMatches += other.PhoneMatches;
        _pumpTicks += other._pumpTicks;
        _hearTicks += other._hearTicks;
        ConfirmedUploads.Add(other.ConfirmedUploads);
        RecursiveUploads.Add(other.RecursiveUploads);
        PeakHeapBytes = Math.Max(PeakHeapBytes, other.PeakHeapBytes);
    }
}

/// <summary>How many uploads of one kind a run made and the wall time they took.</summary>
public sealed class UploadTimes
{
    private long _ticks;

    public long Count { get; private set; }

    public double Seconds => (double)_ticks / Stopwatch.Frequency;

    /// <summary>Milliseconds per upload (0 when there was none).</summary>
    public double MillisecondsEach => Count > 0 ? Seconds * 1000 / Count : 0;

    /// <summary>One upload, from <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) to now.</summary>
    internal void Add(long started)
    {
        Count++;
        _ticks += Stopwatch.GetTimestamp() - started;
    }

    internal void Add(UploadTimes other)
    {
        Count += other.Count;
        _ticks += other._ticks;
    }
}

/// <summary>The parts of a simulated step.</summary>
public enum RunPhase
{
    /// <summary>Placing everyone (city schedule, positions).</summary>
    Place,

    /// <summary>Every pair in a place: ground truth and infections.</summary>
    Meet,

    /// <summary>Pumping the device cores and delivering advertisements to scanning phones.</summary>
    PumpAndHear,

    /// <summary>Authority codes, F0 and recursive uploads over HTTP, publishing and downloading exports.</summary>
    ServerExchange,

    /// <summary>Each phone's matching, scoring and warning level after new exports.</summary>
    Matching,

    /// <summary>History screens vs truth at the end of each day, invites.</summary>
    EndOfDay,

    /// <summary>Test results, installs, the codebook of the day, the final tally.</summary>
    Other,

    /// <summary>The compacting collection once a simulated day (see <c>CityRun.ReturnYesterdaysGarbage</c>).</summary>
    DailyCollection,
}

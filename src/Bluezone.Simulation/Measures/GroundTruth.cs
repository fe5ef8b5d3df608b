namespace Bluezone.Simulation.Measures;

/// <summary>
/// What really happened between app users, which the phones do not know: for every pair and day, the minutes
/// within 2 m (a close contact is ≥ 15 min in a day, DESIGN.md §5) and whether they were within radio range at
/// all. Only pairs of app users are kept: only they can be detected, and it keeps memory proportional to
/// what the app can see.
/// </summary>
internal sealed class GroundTruth(int people, int days)
{
    public const double CloseMeters = 2;
    public const int CloseMinutes = 15;

    private readonly Dictionary<long, int> _minutesClose = [];
    private readonly HashSet<long> _inRange = [];
    private readonly HashSet<long> _closePairs = [];
    private readonly HashSet<long> _metPairs = [];

    public int Days => days;

    /// <summary><paramref name="a"/> and <paramref name="b"/> spent one step within radio range, at <paramref name="distance"/>.</summary>
    public void Met(int a, int b, double distance, int minutes)
    {
        var pair = Pair(a, b);
        _inRange.Add(pair);
        if (distance <= CloseMeters)
        {
            _minutesClose[pair] = _minutesClose.GetValueOrDefault(pair) + minutes;
        }
    }

    /// <summary>Closes a day: keeps its close and met pairs, returns each person's number of close contacts that day.</summary>
    public int[] EndDay(int day)
    {
        var close = new int[people];
        foreach (var (pair, minutes) in _minutesClose)
        {
            if (minutes >= CloseMinutes)
            {
                _closePairs.Add(DayPair(day, pair));
                close[pair / people]++;
                close[pair % people]++;
            }
        }

        foreach (var pair in _inRange)
        {
            _metPairs.Add(DayPair(day, pair));
        }

        _minutesClose.Clear();
        _inRange.Clear();
        return close;
    }

    public bool WereClose(int day, int a, int b) => _closePairs.Contains(DayPair(day, Pair(a, b)));

    public bool WereInRange(int day, int a, int b) => _metPairs.Contains(DayPair(day, Pair(a, b)));

    /// <summary>Every (day, person) close contact of <paramref name="person"/>.</summary>
    public IEnumerable<int> CloseContactsOf(int day, int person)
    {
        for (var other = 0; other < people; other++)
        {
            if (other != person && WereClose(day, person, other))
            {
                yield return other;
            }
        }
    }

    public IEnumerable<int> MetBy(int day, int person)
    {
        for (var other = 0; other < people; other++)
        {
            if (other != person && WereInRange(day, person, other))
            {
                yield return other;
            }
        }
    }

    private long Pair(int a, int b) => a < b ? ((long)a * people) + b : ((long)b * people) + a;

    private long DayPair(int day, long pair) => (day * (long)people * people) + pair;
}

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

    /// <summary>
    /// Today's pairs within radio range, each kept by its higher-numbered person with its minutes within 2 m.
    /// The simulator meets a place's people in descending order, so one person's pairs of a step land in one
    /// short list that stays in the cache; a city-wide dictionary of pairs missed the cache at every lookup.
    /// </summary>
    private readonly Contact[]?[] _today = new Contact[]?[people];

    private readonly int[] _todayCount = new int[people];

    /// <summary>Each closed day's contacts, person by person (null for a day not closed yet).</summary>
    private readonly DayContacts?[] _days = new DayContacts?[days];

    public int Days => days;

    /// <summary><paramref name="a"/> and <paramref name="b"/> spent one step within radio range, at <paramref name="distance"/>.</summary>
    /// <remarks>
    /// Touches only the higher-numbered person's list: calls for pairs of different people may run on
    /// different threads at once (the simulator meets places in parallel, and a person is in one place a step).
    /// </remarks>
    public void Met(int a, int b, double distance, int minutes)
    {
        var (owner, other) = a > b ? (a, b) : (b, a);
        var close = distance <= CloseMeters ? minutes : 0;
        var contacts = _today[owner];
        var count = _todayCount[owner];
        for (var i = 0; i < count; i++)
        {
            if (contacts![i].Other == other)
            {
                contacts[i].MinutesClose += close;
                return;
            }
        }

        if (contacts is null || count == contacts.Length)
        {
            Array.Resize(ref _today[owner], Math.Max(8, count * 2));
            contacts = _today[owner];
        }

        contacts![count] = new Contact(other, close);
        _todayCount[owner] = count + 1;
    }

    /// <summary>
    /// Closes a day: keeps its close and met pairs, returns each person's number of close contacts that day.
    /// Each person's contacts are sorted, so the day is the same in whatever order its pairs were met.
    /// </summary>
    public int[] EndDay(int day)
    {
        var close = new int[people];
        var start = new int[people + 1];
        for (var a = 0; a < people; a++)
        {
            foreach (var (b, minutes) in _today[a].AsSpan(0, _todayCount[a]))
            {
                start[a + 1]++;
                start[b + 1]++;
                if (minutes >= CloseMinutes)
                {
                    close[a]++;
                    close[b]++;
                }
            }
        }

        for (var p = 0; p < people; p++)
        {
            start[p + 1] += start[p];
        }

        var contacts = new int[start[people]];
        var next = start[..^1];
        for (var a = 0; a < people; a++)
        {
            foreach (var (b, minutes) in _today[a].AsSpan(0, _todayCount[a]))
            {
                var closeBit = minutes >= CloseMinutes ? 1 : 0;
                contacts[next[a]++] = (b << 1) | closeBit;
                contacts[next[b]++] = (a << 1) | closeBit;
            }

            _todayCount[a] = 0;
        }

        for (var p = 0; p < people; p++)
        {
            Array.Sort(contacts, start[p], start[p + 1] - start[p]);
        }

        _days[day] = new DayContacts(start, contacts);
        return close;
    }

    /// <summary>Everyone <paramref name="person"/> was within radio range of on <paramref name="day"/>, and whether they were close contacts.</summary>
    public IEnumerable<(int Other, bool Close)> ContactsOf(int day, int person)
    {
        if (_days[day] is not { } contacts)
        {
            yield break;
        }

        for (var i = contacts.Start[person]; i < contacts.Start[person + 1]; i++)
        {
            var contact = contacts.Contacts[i];
            yield return (contact >> 1, (contact & 1) == 1);
        }
    }

    /// <summary>One pair of today, kept by its higher-numbered person.</summary>
    private record struct Contact(int Other, int MinutesClose);

    /// <summary>
    /// One day's contacts as adjacency lists: person p's are Contacts[Start[p]..Start[p + 1]), sorted, each
    /// other · 2 + 1 when close. Four bytes per pair and direction, against some fifty for a set of pairs.
    /// </summary>
    private sealed record DayContacts(int[] Start, int[] Contacts);
}

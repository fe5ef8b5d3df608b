using System.Runtime.InteropServices;

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

    /// <summary>Today's pairs within radio range (keyed lo · people + hi), each with its minutes within 2 m.</summary>
    private readonly Dictionary<long, int> _today = [];

    /// <summary>Each closed day's contacts, person by person (null for a day not closed yet).</summary>
    private readonly DayContacts?[] _days = new DayContacts?[days];

    public int Days => days;

    /// <summary><paramref name="a"/> and <paramref name="b"/> spent one step within radio range, at <paramref name="distance"/>.</summary>
    public void Met(int a, int b, double distance, int minutes)
    {
        // One lookup per pair and step: the entry itself says "in range", its value counts the close minutes.
        ref var minutesClose = ref CollectionsMarshal.GetValueRefOrAddDefault(_today, Pair(a, b), out _);
        if (distance <= CloseMeters)
        {
            minutesClose += minutes;
        }
    }

    /// <summary>Closes a day: keeps its close and met pairs, returns each person's number of close contacts that day.</summary>
    public int[] EndDay(int day)
    {
        var close = new int[people];
        var start = new int[people + 1];
        foreach (var (pair, minutes) in _today)
        {
            var (a, b) = ((int)(pair / people), (int)(pair % people));
            start[a + 1]++;
            start[b + 1]++;
            if (minutes >= CloseMinutes)
            {
                close[a]++;
                close[b]++;
            }
        }

        for (var p = 0; p < people; p++)
        {
            start[p + 1] += start[p];
        }

        var contacts = new int[start[people]];
        var next = start[..^1];
        foreach (var (pair, minutes) in _today)
        {
            var (a, b) = ((int)(pair / people), (int)(pair % people));
            var closeBit = minutes >= CloseMinutes ? 1 : 0;
            contacts[next[a]++] = (b << 1) | closeBit;
            contacts[next[b]++] = (a << 1) | closeBit;
        }

        for (var p = 0; p < people; p++)
        {
            Array.Sort(contacts, start[p], start[p + 1] - start[p]);
        }

        _days[day] = new DayContacts(start, contacts);
        _today.Clear();
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

    private long Pair(int a, int b) => a < b ? ((long)a * people) + b : ((long)b * people) + a;

    /// <summary>
    /// One day's contacts as adjacency lists: person p's are Contacts[Start[p]..Start[p + 1]), sorted, each
    /// other · 2 + 1 when close. Four bytes per pair and direction, against some fifty for a set of pairs.
    /// </summary>
    private sealed record DayContacts(int[] Start, int[] Contacts);
}

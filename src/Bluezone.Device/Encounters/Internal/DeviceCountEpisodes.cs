using System.Runtime.InteropServices;

namespace Bluezone.Device.Encounters.Internal;

/// <summary>
/// Turns per-scan counts of non-Bluezone advertisers into estimated encounters without keeping any address.
/// </summary>
/// <remarks>
/// Non-Bluezone addresses are forgotten after 60 s (DESIGN.md §4) and scans are minutes apart, so nothing ties
/// a device in one scan to the same device in the next. The counts are read as a stack of levels: level k is
/// occupied while at least k devices are heard. A level that becomes occupied is one more device — an
/// arrival; it stays the same device until it has been unoccupied for the link window. So a steady crowd of
/// five counts five however often their addresses rotate, and each arrival adds one. Limits: a device that
/// leaves as another arrives counts once (under-count); one person with a phone, earbuds and a watch counts
/// as three devices (over-count).
/// </remarks>
internal sealed class DeviceCountEpisodes(EncounterKind kind)
{
    private const long MsPerDay = 86_400_000;

    private readonly List<Episode> _levels = [];

    public int ActiveLevels => _levels.Count;

    public void Reset() => _levels.Clear();

    public void OnScan(long scanStartMs, long scanEndMs, int seconds, int count, long linkWindowMs, ref long nextEncounterId, List<EncounterDay> updates)
    {
        if (count == 0 && _levels.Count == 0)
        {
            return; // nobody around and nobody remembered: the common case where only Bluezone phones are heard
        }

        // Present levels are always the lowest ones, so the stale ones are a suffix of the stack.
        while (_levels.Count > count && _levels[^1].LastPresentMs < scanStartMs - linkWindowMs)
        {
            _levels.RemoveAt(_levels.Count - 1);
        }

        var day = (int)(scanStartMs / MsPerDay);
        for (var level = 0; level < count; level++)
        {
            if (level == _levels.Count)
            {
                _levels.Add(new Episode(nextEncounterId++));
            }

            ref var episode = ref CollectionsMarshal.AsSpan(_levels)[level];
            if (episode.Day != day)
            {
                episode.Day = day;
                episode.FirstMs = scanStartMs;
                episode.Seconds = 0;
            }

            episode.Seconds += seconds;
            episode.LastPresentMs = scanEndMs;
            var close = kind == EncounterKind.OtherCloseDevice ? episode.Seconds : 0;
            updates.Add(new EncounterDay(episode.Id, day, kind, episode.FirstMs, scanEndMs, episode.Seconds, close, 0));
        }
    }

    /// <summary>A level's episode: a struct in the list, so a level that comes and goes allocates nothing.</summary>
    private struct Episode(long id)
    {
        public readonly long Id = id;
        public int Day = -1;
        public long FirstMs;
        public long LastPresentMs;
        public int Seconds;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bluezone.Device.Proximity;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Encounters.Internal;

/// <summary>One RPI's share of one closed scan, before it is linked.</summary>
internal readonly record struct RpiObservation(
    RollingProximityIdentifier Rpi,
    AssociatedEncryptedMetadata Aem,
    long FirstUnixMs,
    long LastUnixMs,
    byte TypicalAttenuation,
    byte MinAttenuation);

/// <summary>
/// Links the rotating RPIs of one phone into one encounter, so the history counts people and not the
/// up-to-144 identifiers each of them broadcasts a day (DESIGN.md §5).
/// </summary>
/// <remarks>
/// <para><b>Method.</b> Each RPI heard is a <i>track</i> (first and last time heard, its latest typical
/// attenuation). When a scan closes, every RPI heard for the first time in it is a possible successor of a
/// track that (1) has no successor yet, (2) was last heard before the new RPI was first heard and at most
/// <see cref="EncounterOptions.LinkWindow"/> earlier and in the previous scan or, allowing
/// <see cref="EncounterOptions.MaxMissedScans"/>, the one before — so it "disappeared" when the new one
/// appeared (within seconds when scanning continuously), which also rules out two RPIs heard side by side, (3) could have rotated in that gap: the gap overlaps an
/// interval boundary, allowing for the peer's random rotation offset and clock skew, and (4) had a similar
/// signal: typical attenuations within <see cref="EncounterOptions.MaxAttenuationDifferenceDb"/>. Candidate
/// pairs are taken greedily by score — the attenuation difference in dB plus one dB per 10 s of silence
/// between them, so with continuous scanning the RPI that appeared a second later wins — each track and each
/// new RPI at most once — so two phones that rotate at the same moment at different distances stay two encounters.
/// A new RPI without a partner starts a new encounter. Tracks unheard for longer than the link window are
/// forgotten, which bounds memory by the number of phones around, not by the length of the log.</para>
/// <para><b>Limits.</b> It is an estimate. Someone leaving just as someone else arrives at a similar signal
/// near an interval boundary is taken for one person rotating (under-count). A phone unheard for longer than
/// the link window (pocket, body shadowing, several missed scans) across its rotation starts a new encounter
/// (over-count). Phones at similar signal that rotate in the same gap may be swapped, which does not change
/// the counts. With background scans 210–300 s apart the boundary test rarely excludes anything; it matters
/// for continuous scanning. The simulator measures the error against ground truth.</para>
/// </remarks>
internal sealed class EncounterLinker
{
    private const long MsPerDay = 86_400_000;
    private const long IntervalMs = 600_000;

    private readonly EncounterOptions _options;
    private readonly ProximityOptions _proximity;
    private readonly Dictionary<RollingProximityIdentifier, Track> _tracks = [];
    private readonly List<RpiObservation> _fresh = [];
    private readonly List<Candidate> _pairs = [];
    private readonly List<Track> _predecessors = [];
    private readonly List<Track> _freshTracks = [];
    private readonly List<RollingProximityIdentifier> _stale = [];
    private readonly List<Track?> _observed = [];
    private readonly List<long> _packedPairs = [];
    private Silence[] _silences = new Silence[64];
    private int[] _byAttenuation = new int[64];
    private readonly int[] _attenuationStarts = new int[257];
    private long _oldestLastMs = long.MaxValue; // no track was last heard earlier (a lower bound)

    public EncounterLinker(EncounterOptions options, ProximityOptions proximity)
    {
        _options = options;
        _proximity = proximity;
    }

    /// <summary>RPIs still remembered (each within the link window of now).</summary>
    public int ActiveTracks => _tracks.Count;

    public void Reset()
    {
        _tracks.Clear();
        _oldestLastMs = long.MaxValue;
    }

    /// <summary>
    /// Links the RPIs of a closed scan and appends their scan instances and the encounter-day rows they changed.
    /// </summary>
    public void OnScan(
        long scanSequence,
        long scanStartMs,
        int seconds,
        List<RpiObservation> observations,
        ref long nextEncounterId,
        List<ScanInstance> instances,
        List<EncounterDay> updates)
    {
        var linkWindowMs = (long)_options.LinkWindow.TotalMilliseconds;
        Forget(scanStartMs - linkWindowMs);

        // Known RPIs first, so a predecessor heard later in this very scan is no longer "gone".
        // Each observation's track is looked up once; a new RPI's track is filled in after linking.
        _fresh.Clear();
        _observed.Clear();
        foreach (var observation in observations)
        {
            if (_tracks.TryGetValue(observation.Rpi, out var track))
            {
                track.LastScan = scanSequence;
                track.LastMs = Math.Max(track.LastMs, observation.LastUnixMs);
                track.Attenuation = observation.TypicalAttenuation;
            }
            else
            {
                _fresh.Add(observation);
            }

            _observed.Add(track);
        }

        LinkFresh(scanSequence, linkWindowMs, ref nextEncounterId);
        var nextFresh = 0;
        var observed = CollectionsMarshal.AsSpan(_observed);
        for (var i = 0; i < observed.Length; i++)
        {
            observed[i] ??= _freshTracks[nextFresh++]; // _fresh keeps the observations' order
        }

        var day = (int)(scanStartMs / MsPerDay);
        for (var i = 0; i < observations.Count; i++)
        {
            var observation = observations[i];
            var track = observed[i]!;
            var encounter = track.Encounter;
            if (encounter.Day != day)
            {
                encounter.StartDay(day, scanStartMs);
            }

            if (track.CountedDay != day)
            {
                track.CountedDay = day;
                encounter.Rpis++;
            }

            if (encounter.LastScan != scanSequence)
            {
                // One person counts once per scan, even if an RPI and its successor were both heard in it.
                encounter.LastScan = scanSequence;
                encounter.CloseInLastScan = false;
                encounter.Seconds += seconds;
                encounter.Touched = true;
            }

            if (!encounter.CloseInLastScan && _proximity.IsClose(observation.TypicalAttenuation))
            {
                encounter.CloseInLastScan = true;
                encounter.CloseSeconds += seconds;
            }

            encounter.LastMs = Math.Max(encounter.LastMs, observation.LastUnixMs);
            instances.Add(new ScanInstance(observation.Rpi, observation.Aem, scanStartMs, observation.TypicalAttenuation, observation.MinAttenuation, seconds, encounter.Id));
        }

        foreach (var track in observed)
        {
            var encounter = track!.Encounter;
            if (encounter.Touched)
            {
                encounter.Touched = false;
                updates.Add(new EncounterDay(encounter.Id, encounter.Day, EncounterKind.Bluezone, encounter.FirstMs, encounter.LastMs, encounter.Seconds, encounter.CloseSeconds, encounter.Rpis));
            }
        }
    }

    private void LinkFresh(long scanSequence, long linkWindowMs, ref long nextEncounterId)
    {
        _freshTracks.Clear();
        if (_fresh.Count == 0)
        {
            return; // nobody new: nothing to link (many scans hear only phones already heard)
        }

        // Predecessors: every remembered track, and — for a rotation heard within this very scan — every new
        // RPI of this scan that went silent before another one appeared.
        // Tracks that already have a successor, or were last heard too many scans ago, cannot be chosen: they are
        // left out once here rather than tested against every new RPI.
        var earliestScan = scanSequence - 1 - _options.MaxMissedScans;
        _predecessors.Clear();
        foreach (var track in _tracks.Values)
        {
            if (!track.HasSuccessor && track.LastScan >= earliestScan)
            {
                _predecessors.Add(track);
            }
        }

        foreach (var fresh in _fresh)
        {
            var track = new Track { FirstMs = fresh.FirstUnixMs, LastMs = fresh.LastUnixMs, LastScan = scanSequence, Attenuation = fresh.TypicalAttenuation };
            _freshTracks.Add(track);
            _predecessors.Add(track);
        }

        // The predecessors' silence start and signal side by side, so the pair test reads one array.
        if (_silences.Length < _predecessors.Count)
        {
            _silences = new Silence[Math.Max(_predecessors.Count, _silences.Length * 2)];
        }

        var silences = _silences.AsSpan(0, _predecessors.Count);
        for (var p = 0; p < silences.Length; p++)
        {
            silences[p] = new Silence(_predecessors[p].LastMs, _predecessors[p].Attenuation);
        }

        var maxDifference = _options.MaxAttenuationDifferenceDb;
        var skew = (long)_options.ClockSkewAllowance.TotalMilliseconds;
        var offset = (long)_options.RotationOffsetAllowance.TotalMilliseconds;

        // A candidate's (score, predecessor, new RPI) fits one long in any realistic scan; sorting longs is
        // the same order as ByScore without a comparer call per comparison.
        var packed = (maxDifference * 10_000L) + linkWindowMs < int.MaxValue
            && _predecessors.Count <= ushort.MaxValue && _freshTracks.Count <= ushort.MaxValue;
        _pairs.Clear();
        _packedPairs.Clear();
        if (_freshTracks.Count * silences.Length < 256)
        {
            for (var i = 0; i < _freshTracks.Count; i++)
            {
                for (var p = 0; p < silences.Length; p++)
                {
                    TestPair(silences, p, i, linkWindowMs, maxDifference, skew, offset, packed);
                }
            }
        }
        else
        {
            // Crowded: only predecessors within the allowed attenuation difference are tested. The candidates
            // are the same as testing all of them, and their sort (a total order) makes the outcome the same.
            var starts = _attenuationStarts.AsSpan();
            starts.Clear();
            foreach (var silence in silences)
            {
                starts[silence.Attenuation + 1]++;
            }

            for (var a = 1; a < starts.Length; a++)
            {
                starts[a] += starts[a - 1];
            }

            if (_byAttenuation.Length < silences.Length)
            {
                _byAttenuation = new int[_silences.Length]; // as large as the silences' buffer
            }

            Span<int> fill = stackalloc int[256];
            starts[..256].CopyTo(fill);
            for (var p = 0; p < silences.Length; p++)
            {
                _byAttenuation[fill[silences[p].Attenuation]++] = p;
            }

            for (var i = 0; i < _freshTracks.Count; i++)
            {
                var attenuation = _freshTracks[i].Attenuation;
                var from = starts[Math.Max(0, attenuation - maxDifference)];
                var to = starts[Math.Min(255, attenuation + maxDifference) + 1];
                for (var k = from; k < to; k++)
                {
                    TestPair(silences, _byAttenuation[k], i, linkWindowMs, maxDifference, skew, offset, packed);
                }
            }
        }

        if (packed)
        {
            var pairs = CollectionsMarshal.AsSpan(_packedPairs);
            pairs.Sort();
            foreach (var pair in pairs)
            {
                Pair(_predecessors[(int)((pair >> 16) & 0xFFFF)], _freshTracks[(int)(pair & 0xFFFF)]);
            }
        }
        else
        {
            CollectionsMarshal.AsSpan(_pairs).Sort(default(ByScore));
            foreach (var (_, p, index) in _pairs)
            {
                Pair(_predecessors[p], _freshTracks[index]);
            }
        }

        // New RPIs in order of first sighting, so an in-scan predecessor already has its encounter.
        for (var i = 0; i < _freshTracks.Count; i++)
        {
            var track = _freshTracks[i];
            track.Encounter = track.Predecessor?.Encounter ?? new Encounter(nextEncounterId++);
            track.Predecessor = null;
            _tracks.Add(_fresh[i].Rpi, track);
            _oldestLastMs = Math.Min(_oldestLastMs, track.LastMs);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TestPair(ReadOnlySpan<Silence> silences, int p, int i, long linkWindowMs, int maxDifference, long skew, long offset, bool packed)
    {
        var old = silences[p];
        var fresh = _freshTracks[i];
        var gap = fresh.FirstMs - old.LastMs;
        var difference = Math.Abs(old.Attenuation - fresh.Attenuation);
        if (gap > 0 && gap <= linkWindowMs
            && difference <= maxDifference
            && CouldRotateBetween(old.LastMs, fresh.FirstMs, skew, offset))
        {
            // Signal similarity first; a shorter silence breaks near-ties (10 s of silence weigh 1 dB).
            var score = (difference * 10_000L) + gap;
            if (packed)
            {
                _packedPairs.Add((score << 32) | ((long)p << 16) | (long)i);
            }
            else
            {
                _pairs.Add(new Candidate(score, p, i));
            }
        }
    }

    /// <summary>Takes the pair unless either side is already taken (pairs arrive best first).</summary>
    private static void Pair(Track old, Track fresh)
    {
        if (old.HasSuccessor || fresh.Predecessor is not null)
        {
            return;
        }

        old.HasSuccessor = true;
        fresh.Predecessor = old;
    }

    /// <summary>
    /// Whether some rotation instant in (lastHeard, firstHeard] lies within [B − skew, B + offset + skew] of an
    /// interval boundary B.
    /// </summary>
    private static bool CouldRotateBetween(long lastHeardMs, long firstHeardMs, long skew, long offset)
    {
        var earliestBoundary = (Math.DivRem(lastHeardMs - offset - skew, IntervalMs, out _) + 1) * IntervalMs;
        return earliestBoundary <= firstHeardMs + skew;
    }

    private void Forget(long olderThanMs)
    {
        if (_oldestLastMs >= olderThanMs)
        {
            return; // every track was heard since (LastMs only grows)
        }

        _stale.Clear();
        _oldestLastMs = long.MaxValue;
        foreach (var (rpi, track) in _tracks)
        {
            if (track.LastMs < olderThanMs)
            {
                _stale.Add(rpi);
            }
            else
            {
                _oldestLastMs = Math.Min(_oldestLastMs, track.LastMs);
            }
        }

        foreach (var rpi in _stale)
        {
            _tracks.Remove(rpi);
        }
    }

    /// <summary>A predecessor as the pair test sees it: when it went silent, how strong it was.</summary>
    private readonly record struct Silence(long LastMs, int Attenuation);

    /// <summary>A possible (predecessor, new RPI) link; indices into this scan's lists.</summary>
    private readonly record struct Candidate(long Score, int Old, int Fresh);

    /// <summary>Best score first; equal scores in list order, so the outcome never depends on the sort algorithm.</summary>
    private readonly struct ByScore : IComparer<Candidate>
    {
        public int Compare(Candidate a, Candidate b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Old != b.Old ? a.Old.CompareTo(b.Old) : a.Fresh.CompareTo(b.Fresh);
    }

    private sealed class Track
    {
        public Encounter Encounter { get; set; } = null!;

        public Track? Predecessor { get; set; }

        public long FirstMs { get; init; }

        public long LastMs { get; set; }

        public long LastScan { get; set; }

        public int Attenuation { get; set; }

        public bool HasSuccessor { get; set; }

        public int CountedDay { get; set; } = -1;
    }

    private sealed class Encounter(long id)
    {
        public long Id { get; } = id;

        public int Day { get; private set; } = -1;

        public long FirstMs { get; private set; }

        public long LastMs { get; set; }

        public int Seconds { get; set; }

        public int CloseSeconds { get; set; }

        public int Rpis { get; set; }

        public long LastScan { get; set; } = -1;

        public bool CloseInLastScan { get; set; }

        public bool Touched { get; set; }

        /// <summary>An encounter that crosses midnight counts on both days, each with its own time.</summary>
        public void StartDay(int day, long firstMs)
        {
            Day = day;
            FirstMs = firstMs;
            LastMs = firstMs;
            Seconds = 0;
            CloseSeconds = 0;
            Rpis = 0;
        }
    }
}

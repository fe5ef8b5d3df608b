using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bluezone.Device.Internal;
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
    private const int None = -1;

    // The options, read once: a city holds a set of options objects per phone, and reading them at every
    // scan touched cache lines of their own (options are validated at start and not changed afterwards).
    private readonly long _linkWindowMs;
    private readonly int _maxMissedScans;
    private readonly int _maxDifferenceDb;
    private readonly long _clockSkewMs;
    private readonly long _rotationOffsetMs;
    private readonly int _closeMaxDb; // ProximityOptions.IsClose: at most this attenuation

    // Tracks and encounters are structs in slot arrays, linked by index, never objects: a phone keeps them for
    // minutes, and in a simulated city every new RPI made a long-lived object point at a young one, so every
    // young collection had to scan much of the old heap. These arrays hold no references for the GC to follow
    // and, once grown to the crowd around, nothing is allocated per RPI.
    // A freed track slot is reused last-freed-first and the slots are visited in index order, which is exactly
    // the order a Dictionary<RollingProximityIdentifier, Track> enumerated them in: the predecessors' order
    // breaks ties between equal candidate scores, so the links (and the encounter ids) stay what they were.
    private readonly Slots<Track> _tracks = new();
    private readonly Slots<Encounter> _encounters = new();

    // RPI → track slot + 1 (0: empty), open addressing with linear probing. RPIs are AES output, so a few of
    // their bits hash well; probing the table reads one int array and the track's own slot.
    private int[] _index = [];
    private int _indexShift;

    private readonly List<RpiObservation> _fresh = [];
    private readonly List<Candidate> _pairs = [];
    private readonly List<int> _predecessors = [];
    private readonly List<int> _freshTracks = [];
    private readonly List<int> _observed = [];
    private readonly List<long> _packedPairs = [];
    // Scratch of the pair test, grown on first need: a city holds a linker per phone, most never crowded.
    private Silence[] _silences = [];
    private int[] _byAttenuation = [];
    private int[] _attenuationStarts = [];
    private long _oldestLastMs = long.MaxValue; // no track was last heard earlier (a lower bound)

    public EncounterLinker(EncounterOptions options, ProximityOptions proximity)
    {
        _linkWindowMs = (long)options.LinkWindow.TotalMilliseconds;
        _maxMissedScans = options.MaxMissedScans;
        _maxDifferenceDb = options.MaxAttenuationDifferenceDb;
        _clockSkewMs = (long)options.ClockSkewAllowance.TotalMilliseconds;
        _rotationOffsetMs = (long)options.RotationOffsetAllowance.TotalMilliseconds;
        _closeMaxDb = proximity.NearMaxDb;
    }

    /// <summary>RPIs still remembered (each within the link window of now).</summary>
    public int ActiveTracks => _tracks.Count;

    public void Reset()
    {
        _tracks.Clear();
        _encounters.Clear();
        Array.Clear(_index);
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
        var linkWindowMs = _linkWindowMs;
        Forget(scanStartMs - linkWindowMs);

        // Known RPIs first, so a predecessor heard later in this very scan is no longer "gone".
        // Each observation's track is looked up once; a new RPI's track is filled in after linking.
        _fresh.Clear();
        _observed.Clear();
        foreach (ref readonly var observation in CollectionsMarshal.AsSpan(observations))
        {
            var slot = Find(observation.Rpi);
            if (slot != None)
            {
                ref var track = ref _tracks[slot];
                track.LastScan = scanSequence;
                track.LastMs = Math.Max(track.LastMs, observation.LastUnixMs);
                track.Attenuation = observation.TypicalAttenuation;
            }
            else
            {
                _fresh.Add(observation);
            }

            _observed.Add(slot);
        }

        LinkFresh(scanSequence, linkWindowMs, ref nextEncounterId);
        var nextFresh = 0;
        var observed = CollectionsMarshal.AsSpan(_observed);
        for (var i = 0; i < observed.Length; i++)
        {
            if (observed[i] == None)
            {
                observed[i] = _freshTracks[nextFresh++]; // _fresh keeps the observations' order
            }
        }

        var day = (int)(scanStartMs / MsPerDay);
        var observationSpan = CollectionsMarshal.AsSpan(observations);
        for (var i = 0; i < observed.Length; i++)
        {
            ref readonly var observation = ref observationSpan[i];
            ref var track = ref _tracks[observed[i]];
            ref var encounter = ref _encounters[track.Encounter];
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

            if (!encounter.CloseInLastScan && observation.TypicalAttenuation <= _closeMaxDb)
            {
                encounter.CloseInLastScan = true;
                encounter.CloseSeconds += seconds;
            }

            encounter.LastMs = Math.Max(encounter.LastMs, observation.LastUnixMs);
            instances.Add(new ScanInstance(observation.Rpi, observation.Aem, scanStartMs, observation.TypicalAttenuation, observation.MinAttenuation, seconds, encounter.Id));
        }

        foreach (var slot in observed)
        {
            ref var encounter = ref _encounters[_tracks[slot].Encounter];
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
        var earliestScan = scanSequence - 1 - _maxMissedScans;
        _predecessors.Clear();
        var tracks = _tracks.Used;
        for (var slot = 0; slot < tracks.Length; slot++)
        {
            ref readonly var track = ref tracks[slot];
            if (track.InUse && !track.HasSuccessor && track.LastScan >= earliestScan)
            {
                _predecessors.Add(slot);
            }
        }

        // The new tracks take their slots now, in the order they are remembered below.
        foreach (ref readonly var fresh in CollectionsMarshal.AsSpan(_fresh))
        {
            var slot = _tracks.Take();
            _tracks[slot] = new Track
            {
                Rpi = fresh.Rpi,
                FirstMs = fresh.FirstUnixMs,
                LastMs = fresh.LastUnixMs,
                LastScan = scanSequence,
                Attenuation = fresh.TypicalAttenuation,
                Encounter = None,
                Predecessor = None,
                CountedDay = -1,
                InUse = true,
            };
            _freshTracks.Add(slot);
            _predecessors.Add(slot);
        }

        // The predecessors' silence start and signal side by side, so the pair test reads one array.
        var predecessors = CollectionsMarshal.AsSpan(_predecessors);
        if (_silences.Length < predecessors.Length)
        {
            _silences = new Silence[Math.Max(Math.Max(predecessors.Length, 16), _silences.Length * 2)];
        }

        var silences = _silences.AsSpan(0, predecessors.Length);
        for (var p = 0; p < silences.Length; p++)
        {
            ref readonly var track = ref _tracks[predecessors[p]];
            silences[p] = new Silence(track.LastMs, track.Attenuation);
        }

        var freshTracks = CollectionsMarshal.AsSpan(_freshTracks);
        var maxDifference = _maxDifferenceDb;
        var skew = _clockSkewMs;
        var offset = _rotationOffsetMs;

        // A candidate's (score, predecessor, new RPI) fits one long in any realistic scan; sorting longs is
        // the same order as ByScore without a comparer call per comparison.
        var packed = (maxDifference * 10_000L) + linkWindowMs < int.MaxValue
            && predecessors.Length <= ushort.MaxValue && freshTracks.Length <= ushort.MaxValue;
        _pairs.Clear();
        _packedPairs.Clear();
        if (freshTracks.Length * silences.Length < 256)
        {
            for (var i = 0; i < freshTracks.Length; i++)
            {
                var fresh = new Arrival(_tracks[freshTracks[i]].FirstMs, _tracks[freshTracks[i]].Attenuation);
                for (var p = 0; p < silences.Length; p++)
                {
                    TestPair(silences[p], fresh, p, i, linkWindowMs, maxDifference, skew, offset, packed);
                }
            }
        }
        else
        {
            TestCrowdedPairs(silences, freshTracks, linkWindowMs, maxDifference, skew, offset, packed);
        }

        // Once every new RPI has its predecessor, the pairs left can take none (each needs a new RPI without one).
        var linked = 0;
        if (packed)
        {
            var pairs = CollectionsMarshal.AsSpan(_packedPairs);
            pairs.Sort();
            for (var k = 0; k < pairs.Length && linked < freshTracks.Length; k++)
            {
                var pair = pairs[k];
                linked += Pair(predecessors[(int)((pair >> 16) & 0xFFFF)], freshTracks[(int)(pair & 0xFFFF)]) ? 1 : 0;
            }
        }
        else
        {
            // A static lambda is cached once; a struct comparer would be boxed, with a delegate made, per sort.
            CollectionsMarshal.AsSpan(_pairs).Sort(static (a, b) => a.CompareTo(b));
            foreach (var (_, p, index) in _pairs)
            {
                linked += Pair(predecessors[p], freshTracks[index]) ? 1 : 0;
                if (linked == freshTracks.Length)
                {
                    break;
                }
            }
        }

        // New RPIs in order of first sighting, so an in-scan predecessor already has its encounter.
        for (var i = 0; i < freshTracks.Length; i++)
        {
            var slot = freshTracks[i];
            var predecessor = _tracks[slot].Predecessor;
            var encounter = predecessor != None && _tracks[predecessor].Encounter != None
                ? _tracks[predecessor].Encounter
                : NewEncounter(nextEncounterId++);
            _encounters[encounter].Tracks++;
            ref var track = ref _tracks[slot];
            track.Encounter = encounter;
            track.Predecessor = None;
            AddToIndex(slot);
            _oldestLastMs = Math.Min(_oldestLastMs, track.LastMs);
        }
    }

    /// <summary>
    /// The pair test of a crowded scan (in a method of its own: its stackalloc kept the whole of
    /// <see cref="LinkFresh"/> from being recompiled with profile data).
    /// </summary>
    private void TestCrowdedPairs(Span<Silence> silences, Span<int> freshTracks, long linkWindowMs, int maxDifference, long skew, long offset, bool packed)
    {
        // Crowded: only predecessors within the allowed attenuation difference are tested. The candidates
        // are the same as testing all of them, and their sort (a total order) makes the outcome the same.
        if (_attenuationStarts.Length == 0)
        {
            _attenuationStarts = new int[257];
        }

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

        for (var i = 0; i < freshTracks.Length; i++)
        {
            var fresh = new Arrival(_tracks[freshTracks[i]].FirstMs, _tracks[freshTracks[i]].Attenuation);
            var from = starts[Math.Max(0, fresh.Attenuation - maxDifference)];
            var to = starts[Math.Min(255, fresh.Attenuation + maxDifference) + 1];
            for (var k = from; k < to; k++)
            {
                var p = _byAttenuation[k];
                TestPair(silences[p], fresh, p, i, linkWindowMs, maxDifference, skew, offset, packed);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TestPair(Silence old, Arrival fresh, int p, int i, long linkWindowMs, int maxDifference, long skew, long offset, bool packed)
    {
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

    /// <summary>Takes the pair unless either side is already taken (pairs arrive best first); whether it was taken.</summary>
    private bool Pair(int oldSlot, int freshSlot)
    {
        ref var old = ref _tracks[oldSlot];
        ref var fresh = ref _tracks[freshSlot];
        if (old.HasSuccessor || fresh.Predecessor != None)
        {
            return false;
        }

        old.HasSuccessor = true;
        fresh.Predecessor = oldSlot;
        return true;
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

        _oldestLastMs = long.MaxValue;
        var tracks = _tracks.Used;
        for (var slot = 0; slot < tracks.Length; slot++)
        {
            ref var track = ref tracks[slot];
            if (!track.InUse)
            {
                continue;
            }

            if (track.LastMs < olderThanMs)
            {
                // Freed in slot order, as the Dictionary removed its stale entries (see the slot arrays).
                RemoveFromIndex(slot);
                track.InUse = false;
                _tracks.Free(slot);
                if (--_encounters[track.Encounter].Tracks == 0)
                {
                    _encounters.Free(track.Encounter);
                }
            }
            else
            {
                _oldestLastMs = Math.Min(_oldestLastMs, track.LastMs);
            }
        }
    }

    private int NewEncounter(long id)
    {
        var slot = _encounters.Take();
        _encounters[slot] = new Encounter(id);
        return slot;
    }

    /// <summary>The slot of <paramref name="rpi"/>'s track, or <see cref="None"/>.</summary>
    private int Find(RollingProximityIdentifier rpi)
    {
        if (_tracks.Count == 0)
        {
            return None;
        }

        var mask = _index.Length - 1;
        for (var i = HomeOf(rpi); ; i = (i + 1) & mask)
        {
            var entry = _index[i];
            if (entry == 0)
            {
                return None;
            }

            if (_tracks[entry - 1].Rpi == rpi)
            {
                return entry - 1;
            }
        }
    }

    private int HomeOf(RollingProximityIdentifier rpi) =>
        (int)(((rpi.High ^ rpi.Low) * 0x9E37_79B9_7F4A_7C15UL) >> _indexShift); // Fibonacci hashing: the top bits

    private void AddToIndex(int slot)
    {
        // At most half full, so a probe ends soon at an empty entry.
        if (_tracks.Count * 2 > _index.Length)
        {
            var old = _index;
            _index = new int[Math.Max(16, old.Length * 2)];
            _indexShift = 64 - BitOperations.Log2((uint)_index.Length);
            foreach (var entry in old)
            {
                if (entry != 0)
                {
                    Place(entry - 1);
                }
            }
        }

        Place(slot);
    }

    private void Place(int slot)
    {
        var rpi = _tracks[slot].Rpi;
        var mask = _index.Length - 1;
        var i = HomeOf(rpi);
        while (_index[i] != 0)
        {
            if (_tracks[_index[i] - 1].Rpi == rpi)
            {
                throw new InvalidOperationException("An RPI was heard twice as new in one scan."); // as Dictionary.Add would
            }

            i = (i + 1) & mask;
        }

        _index[i] = slot + 1;
    }

    /// <summary>Removes a slot from the index, moving later entries of its probe run back (no tombstones).</summary>
    private void RemoveFromIndex(int slot)
    {
        var mask = _index.Length - 1;
        var hole = HomeOf(_tracks[slot].Rpi);
        while (_index[hole] != slot + 1)
        {
            hole = (hole + 1) & mask;
        }

        for (var i = (hole + 1) & mask; _index[i] != 0; i = (i + 1) & mask)
        {
            // An entry may fill the hole unless its home lies cyclically in (hole, i].
            var home = HomeOf(_tracks[_index[i] - 1].Rpi);
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                _index[hole] = _index[i];
                hole = i;
            }
        }

        _index[hole] = 0;
    }

    /// <summary>A predecessor as the pair test sees it: when it went silent, how strong it was.</summary>
    private readonly record struct Silence(long LastMs, int Attenuation);

    /// <summary>A new RPI as the pair test sees it: when it was first heard, how strong it was.</summary>
    private readonly record struct Arrival(long FirstMs, int Attenuation);

    /// <summary>A possible (predecessor, new RPI) link; indices into this scan's lists.</summary>
    private readonly record struct Candidate(long Score, int Old, int Fresh) : IComparable<Candidate>
    {
        /// <summary>Best score first; equal scores in list order, so the outcome never depends on the sort algorithm.</summary>
        public int CompareTo(Candidate other) =>
            Score != other.Score ? Score.CompareTo(other.Score) : Old != other.Old ? Old.CompareTo(other.Old) : Fresh.CompareTo(other.Fresh);
    }

    /// <summary>One RPI heard: its slot's fields fit one cache line.</summary>
    private struct Track
    {
        public RollingProximityIdentifier Rpi;
        public long FirstMs;
        public long LastMs;
        public long LastScan;
        public int Encounter; // a slot in _encounters; None until the new track is linked
        public int Predecessor; // a slot in _tracks while linking, otherwise None
        public int CountedDay;
        public int Attenuation;
        public bool HasSuccessor;
        public bool InUse;
    }

    private struct Encounter(long id)
    {
        public readonly long Id = id;
        public long FirstMs;
        public long LastMs;
        public long LastScan = -1;
        public int Day = -1;
        public int Seconds;
        public int CloseSeconds;
        public int Rpis;
        public int Tracks; // tracks pointing here: the slot is freed with the last of them
        public bool CloseInLastScan;
        public bool Touched;

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

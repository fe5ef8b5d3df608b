using System.Runtime.InteropServices;
using Bluezone.Device.Encounters;
using Bluezone.Device.History;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Storage;

/// <summary>
/// The device store held in memory, for the simulator (thousands of devices in one process, nothing on disk).
/// It keeps the same data as <see cref="DeviceStore"/> and answers the same history; tests check that the two
/// agree. Not for phones: nothing survives the process.
/// </summary>
/// <remarks>
/// A city of phones keeps 14 days of scan instances each, so the log is stored compactly: per day, each
/// distinct (RPI, encounter) heard once with its AEM, each scan once with its start and duration, and each
/// scan instance as 12 bytes pointing at both (a <see cref="ScanInstance"/> is 48). Nothing is lost:
/// <see cref="LoadScanInstances"/> gives back exactly what was recorded, in the same order.
/// </remarks>
public sealed partial class InMemoryDeviceStore : IDeviceStore
{
    private readonly SortedDictionary<int, TemporaryExposureKey> _keys = [];
    private readonly SortedDictionary<int, Day> _days = [];
    private long _nextEncounterId = 1;
    private Day? _recording; // the day written last: older days are trimmed to size when it changes

    public long NextEncounterId => _nextEncounterId;

    /// <summary>Scan instances kept (all days).</summary>
    public int ScanInstanceCount
    {
        get
        {
            var count = 0;
            foreach (var day in _days.Values)
            {
                count += day.Instances.Count;
            }

            return count;
        }
    }

    /// <summary>All scan instances kept, oldest day first (matching reads them).</summary>
    public IReadOnlyList<ScanInstance> LoadScanInstances()
    {
        var result = new ScanInstance[ScanInstanceCount];
        var next = 0;
        foreach (var day in _days.Values)
        {
            day.CopyTo(result.AsSpan(next));
            next += day.Instances.Count;
        }

        return result;
    }

    /// <summary>
    /// All scan instances kept, ordered by RPI and, within an RPI, by scan start: what
    /// <see cref="Matching.SightingLog.BuildFromSorted"/> takes without sorting. Only the distinct RPIs of each
    /// day are sorted (a few hundred a day), not the instances (a few thousand).
    /// </summary>
    public ScanInstance[] LoadScanInstancesByIdentifier()
    {
        var result = new ScanInstance[ScanInstanceCount];
        var days = _days.Values.ToArray();
        var groups = new (int[] Starts, int[] Order)[days.Length];
        var entries = new List<EntryRef>();
        for (var d = 0; d < days.Length; d++)
        {
            var day = days[d];
            var starts = new int[day.HeardCount + 1];
            var order = new int[day.Instances.Count];
            day.GroupByEntry(starts, order);
            groups[d] = (starts, order);
            for (var e = 0; e < day.HeardCount; e++)
            {
                if (starts[e + 1] > starts[e])
                {
                    entries.Add(new EntryRef(day.RpiOf(e), d, day.ScanStartOf(order[starts[e]]), e));
                }
            }
        }

        CollectionsMarshal.AsSpan(entries).Sort();
        var next = 0;
        var groupStart = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (i > 0 && entry.Rpi != entries[i - 1].Rpi)
            {
                SortByTimeIfNeeded(result.AsSpan(groupStart, next - groupStart));
                groupStart = next;
            }

            var (starts, order) = groups[entry.Day];
            for (var k = starts[entry.Entry]; k < starts[entry.Entry + 1]; k++)
            {
                result[next++] = days[entry.Day].Expand(order[k]);
            }
        }

        SortByTimeIfNeeded(result.AsSpan(groupStart, next - groupStart));
        return result;
    }

    /// <summary>
    /// The RPIs heard on the days kept (an RPI heard on two days, or relinked, appears more than once): a
    /// simulation checks them against what was published before it matches a phone at all.
    /// </summary>
    public void CopyHeardIdentifiers(List<RollingProximityIdentifier> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        foreach (var day in _days.Values)
        {
            for (var e = 0; e < day.HeardCount; e++)
            {
                destination.Add(day.RpiOf(e));
            }
        }
    }

    public void Record(in ScanSummary scan, ReadOnlySpan<ScanInstance> instances, ReadOnlySpan<EncounterDay> encounters)
    {
        DayOf(DeviceStore.UnixDay(scan.StartUnixMs)).Scans++;
        foreach (var instance in instances)
        {
            DayOf(DeviceStore.UnixDay(instance.ScanStartUnixMs)).Add(instance);
        }

        foreach (var encounter in encounters)
        {
            DayOf(encounter.UnixDay).Encounters[encounter.EncounterId] = encounter;
            _nextEncounterId = Math.Max(_nextEncounterId, encounter.EncounterId + 1);
        }
    }

    public void Flush()
    {
        // Nothing is buffered.
    }

    public IReadOnlyList<TemporaryExposureKey> LoadOwnKeys() => _keys.Values.ToArray();

    public void SaveOwnKey(TemporaryExposureKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _keys[key.RollingStartIntervalNumber.Value] = key;
    }

    public int Purge(DateOnly today)
    {
        var oldestKept = DeviceStore.UnixDay(today) - (DeviceStore.RetentionDays - 1);
        var deleted = 0;
        while (_days.Count > 0 && _days.Keys.First() is var first && first < oldestKept)
        {
            var removed = _days[first];
            deleted += removed.Instances.Count + removed.Encounters.Count + removed.Scans;
            _days.Remove(first);
            if (ReferenceEquals(removed, _recording))
            {
                _recording = null;
            }
        }

        deleted += PurgeExposures(oldestKept);
        foreach (var key in _keys.Values.Where(k => DeviceStore.UnixDay(k.Day) < oldestKept).ToArray())
        {
            _keys.Remove(key.RollingStartIntervalNumber.Value);
            deleted++;
        }

        return deleted;
    }

    public DayHistory History(DateOnly date, HistoryOptions? options = null)
    {
        options ??= new HistoryOptions();
        options.Validate();
        if (!_days.TryGetValue(DeviceStore.UnixDay(date), out var day))
        {
            return new DayHistory(date, default, default, 0, 0);
        }

        var close = (int)Math.Ceiling(options.CloseContactDuration.TotalSeconds);
        int bluezone = 0, bluezoneClose = 0, other = 0, otherClose = 0;
        foreach (var encounter in day.Encounters.Values)
        {
            switch (encounter.Kind)
            {
                case EncounterKind.Bluezone:
                    bluezone++;
                    bluezoneClose += encounter.CloseSeconds >= close ? 1 : 0;
                    break;
                case EncounterKind.OtherDevice:
                    other++;
                    break;
                case EncounterKind.OtherCloseDevice:
                    otherClose += encounter.CloseSeconds >= close ? 1 : 0;
                    break;
            }
        }

        return new DayHistory(date, new ContactCount(bluezone + other, bluezone), new ContactCount(bluezoneClose + otherClose, bluezoneClose), bluezone, day.DistinctRpis);
    }

    public IReadOnlyList<DateOnly> Days() =>
        _days.Where(d => d.Value.Scans > 0).Select(d => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + d.Key)).ToArray();

    public void DeleteAllData()
    {
        _keys.Clear();
        _days.Clear();
        _recording = null;
        _nextEncounterId = 1;
        ClearExposures();
    }

    private Day DayOf(int unixDay)
    {
        if (_recording is not null && _recording.UnixDay == unixDay)
        {
            return _recording;
        }

        if (!_days.TryGetValue(unixDay, out var day))
        {
            day = new Day(unixDay);
            _days.Add(unixDay, day);
        }

        // A day is written during that day (and a few seconds into the next, for a scan open at midnight):
        // when writing moves on, the day before is cut to size and its lookup table dropped.
        _recording?.Compact();
        _recording = day;
        return day;
    }

    /// <summary>
    /// One RPI's entries on different days (or relinked the same day) interleave in time only in rare cases;
    /// a stable sort puts such a group back in time order.
    /// </summary>
    private static void SortByTimeIfNeeded(Span<ScanInstance> group)
    {
        for (var i = 1; i < group.Length; i++)
        {
            if (group[i].ScanStartUnixMs < group[i - 1].ScanStartUnixMs)
            {
                var sorted = group.ToArray().OrderBy(x => x.ScanStartUnixMs).ToArray();
                sorted.CopyTo(group);
                return;
            }
        }
    }

    /// <summary>An (RPI, encounter) entry of one day, for ordering every day's entries by RPI.</summary>
    private readonly record struct EntryRef(RollingProximityIdentifier Rpi, int Day, long FirstUnixMs, int Entry) : IComparable<EntryRef>
    {
        public int CompareTo(EntryRef other)
        {
            var byRpi = Rpi.CompareTo(other.Rpi);
            if (byRpi != 0)
            {
                return byRpi;
            }

            var byDay = Day.CompareTo(other.Day);
            return byDay != 0 ? byDay : FirstUnixMs != other.FirstUnixMs ? FirstUnixMs.CompareTo(other.FirstUnixMs) : Entry.CompareTo(other.Entry);
        }
    }

    /// <summary>One RPI as heard on one day, linked to one encounter (an RPI relinked later gets a second entry).</summary>
    private readonly record struct HeardRpi(RollingProximityIdentifier Rpi, AssociatedEncryptedMetadata Aem, int EncounterOffset);

    /// <summary>One scan's start and the seconds it stands for, shared by the instances recorded in it.</summary>
    private readonly record struct ScanTime(long StartUnixMs, int SecondsSinceLastScan);

    /// <summary>A scan instance as indices into its day's tables: 12 bytes.</summary>
    private readonly record struct CompactInstance(int Heard, int Scan, byte TypicalAttenuation, byte MinAttenuation);

    private sealed class Day(int unixDay)
    {
        private readonly List<HeardRpi> _heard = [];
        private readonly List<ScanTime> _scanTimes = [];
        private Dictionary<RollingProximityIdentifier, int>? _latestEntry = []; // RPI → its newest entry in _heard
        private int _relinkedEntries; // entries for an RPI already there with another encounter (rare)
        private long _encounterBase = long.MinValue;

        public int UnixDay { get; } = unixDay;

        public List<CompactInstance> Instances { get; } = [];

        public Dictionary<long, EncounterDay> Encounters { get; } = [];

        public int Scans { get; set; }

        /// <summary>Distinct RPIs heard this day.</summary>
        public int DistinctRpis => _heard.Count - _relinkedEntries;

        public void Add(in ScanInstance instance)
        {
            if (_encounterBase == long.MinValue)
            {
                _encounterBase = instance.EncounterId;
            }

            var offset = checked((int)(instance.EncounterId - _encounterBase));
            var heard = EntryOf(instance.Rpi, instance.Aem, offset);
            var scan = _scanTimes.Count - 1;
            if (scan < 0 || _scanTimes[scan] != new ScanTime(instance.ScanStartUnixMs, instance.SecondsSinceLastScan))
            {
                scan = _scanTimes.Count;
                _scanTimes.Add(new ScanTime(instance.ScanStartUnixMs, instance.SecondsSinceLastScan));
            }

            Instances.Add(new CompactInstance(heard, scan, instance.TypicalAttenuation, instance.MinAttenuation));
        }

        public int HeardCount => _heard.Count;

        public RollingProximityIdentifier RpiOf(int entry) => _heard[entry].Rpi;

        public long ScanStartOf(int instance) => _scanTimes[Instances[instance].Scan].StartUnixMs;

        public ScanInstance Expand(int instance)
        {
            var compact = Instances[instance];
            var heard = _heard[compact.Heard];
            var scan = _scanTimes[compact.Scan];
            return new ScanInstance(heard.Rpi, heard.Aem, scan.StartUnixMs, compact.TypicalAttenuation, compact.MinAttenuation, scan.SecondsSinceLastScan, _encounterBase + heard.EncounterOffset);
        }

        /// <summary>
        /// A counting sort of the day's instances by entry, keeping recording (time) order within an entry:
        /// entry e's instances are order[starts[e] .. starts[e + 1]).
        /// </summary>
        public void GroupByEntry(Span<int> starts, Span<int> order)
        {
            var instances = CollectionsMarshal.AsSpan(Instances);
            foreach (var instance in instances)
            {
                starts[instance.Heard + 1]++;
            }

            for (var e = 1; e < starts.Length; e++)
            {
                starts[e] += starts[e - 1];
            }

            Span<int> fill = starts.Length <= 1024 ? stackalloc int[starts.Length] : new int[starts.Length];
            starts.CopyTo(fill);
            for (var i = 0; i < instances.Length; i++)
            {
                order[fill[instances[i].Heard]++] = i;
            }
        }

        public void CopyTo(Span<ScanInstance> destination)
        {
            var instances = CollectionsMarshal.AsSpan(Instances);
            var heardRpis = CollectionsMarshal.AsSpan(_heard);
            var scans = CollectionsMarshal.AsSpan(_scanTimes);
            for (var i = 0; i < instances.Length; i++)
            {
                var compact = instances[i];
                ref readonly var heard = ref heardRpis[compact.Heard];
                ref readonly var scan = ref scans[compact.Scan];
                destination[i] = new ScanInstance(heard.Rpi, heard.Aem, scan.StartUnixMs, compact.TypicalAttenuation, compact.MinAttenuation, scan.SecondsSinceLastScan, _encounterBase + heard.EncounterOffset);
            }
        }

        /// <summary>Drops the lookup table and spare capacity once the day is no longer written.</summary>
        public void Compact()
        {
            _latestEntry = null;
            _heard.TrimExcess();
            _scanTimes.TrimExcess();
            Instances.TrimExcess();
        }

        private int EntryOf(RollingProximityIdentifier rpi, AssociatedEncryptedMetadata aem, int encounterOffset)
        {
            _latestEntry ??= BuildIndex();
            ref var latest = ref CollectionsMarshal.GetValueRefOrAddDefault(_latestEntry, rpi, out var exists);
            if (exists)
            {
                if (_heard[latest] is var entry && entry.EncounterOffset == encounterOffset && entry.Aem == aem)
                {
                    return latest;
                }

                // The RPI was linked into another encounter earlier today: reuse a matching older entry if any.
                for (var i = 0; i < _heard.Count; i++)
                {
                    if (_heard[i] == new HeardRpi(rpi, aem, encounterOffset))
                    {
                        return i;
                    }
                }

                _relinkedEntries++;
            }

            latest = _heard.Count;
            _heard.Add(new HeardRpi(rpi, aem, encounterOffset));
            return latest;
        }

        private Dictionary<RollingProximityIdentifier, int> BuildIndex()
        {
            var index = new Dictionary<RollingProximityIdentifier, int>(_heard.Count);
            for (var i = 0; i < _heard.Count; i++)
            {
                index[_heard[i].Rpi] = i;
            }

            return index;
        }
    }
}

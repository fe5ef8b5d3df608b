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
/// A city of phones keeps 14 days of scan instances each, so the log is stored compactly: per day, each scan
/// instance as about two bytes in a stream (<see cref="ContactStream"/>), each distinct (RPI, encounter) as an
/// entry of it, and — with an <see cref="IIdentifierCodebook"/> — each RPI heard from one of the simulation's
/// phones as its sender and slot instead of its 20 bytes (a <see cref="ScanInstance"/> is 48). Of the encounter
/// rows it keeps what the history reads (kind and close seconds). Nothing of the log is lost:
/// <see cref="LoadScanInstances"/> gives back exactly what was recorded, in the same order.
/// </remarks>
public sealed partial class InMemoryDeviceStore : IDeviceStore
{
    private readonly IIdentifierCodebook? _codebook;
    private readonly SortedDictionary<int, TemporaryExposureKey> _keys = [];
    private readonly SortedDictionary<int, ContactDay> _days = [];
    private readonly WritingBuffers _buffers = new();
    private long _nextEncounterId = 1;
    private ContactDay? _recording; // the day written last: older days are sealed when it changes

    /// <param name="codebook">Encodes the identifiers of a simulation's phones; null to keep every identifier in full.</param>
    public InMemoryDeviceStore(IIdentifierCodebook? codebook = null)
    {
        _codebook = codebook;
    }

    public long NextEncounterId => _nextEncounterId;

    /// <summary>Bytes held by the contact log (streams, look-ups, identifiers kept in full): for measuring it.</summary>
    public long ContactLogBytes => _days.Values.Sum(d => d.SizeInBytes);

    /// <summary>Scan instances kept (all days).</summary>
    public int ScanInstanceCount
    {
        get
        {
            var count = 0;
            foreach (var day in _days.Values)
            {
                count += day.InstanceCount;
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
            var tables = day.Read();
            for (var i = 0; i < tables.Instances.Length; i++)
            {
                result[next++] = tables.Expand(i);
            }
        }

        return result;
    }

    /// <summary>
    /// All scan instances kept, ordered by RPI and, within an RPI, by scan start: what
    /// <see cref="Matching.SightingLog.BuildFromSorted"/> takes without sorting. Only the distinct RPIs of each
    /// day are sorted (a few hundred a day), not the instances (a few thousand).
    /// </summary>
    public ScanInstance[] LoadScanInstancesByIdentifier() => ByIdentifier([.. _days.Values.Select(d => d.Read())]);

    /// <summary>
    /// The scan instances that may be of newly <paramref name="published"/> keys, in the order of
    /// <see cref="LoadScanInstancesByIdentifier()"/>: what a simulated phone matches instead of its whole log.
    /// </summary>
    /// <remarks>
    /// Every instance of a published RPI is among them (a coded entry of a published RPI is from a sender whose
    /// key of that day or the day before was published; an entry in full is checked by its identifier), so each
    /// published RPI's group is whole and matching them gives the same exposure windows as matching the whole
    /// log. Days with none of those senders are not read at all, and only the entries kept are decoded: a full
    /// match used to decode and copy 14 days of a phone's log (megabytes of large-object garbage) to use a few
    /// of its entries.
    /// </remarks>
    public ScanInstance[] LoadScanInstancesByIdentifier(PublishedSources published)
    {
        ArgumentNullException.ThrowIfNull(published);
        var days = new List<DayTables>();
        foreach (var day in _days.Values)
        {
            if (day.Read(published) is { } tables)
            {
                days.Add(tables);
            }
        }

        return ByIdentifier([.. days]);
    }

    private static ScanInstance[] ByIdentifier(DayTables[] days)
    {
        var total = 0;
        foreach (var day in days)
        {
            total += day.Instances.Length;
        }

        var result = new ScanInstance[total];
        var groups = new (int[] Starts, int[] Order)[days.Length];
        var entries = new List<EntryRef>();
        for (var d = 0; d < days.Length; d++)
        {
            var day = days[d];
            var starts = new int[day.Entries.Length + 1];
            var order = new int[day.Instances.Length];
            GroupByEntry(day.Instances, starts, order);
            groups[d] = (starts, order);
            for (var e = 0; e < day.Entries.Length; e++)
            {
                if (starts[e + 1] > starts[e])
                {
                    entries.Add(new EntryRef(day.Entries[e].Rpi, d, day.Scans[day.Instances[order[starts[e]]].Scan].StartUnixMs, e));
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
            foreach (var entry in day.Read().Entries)
            {
                destination.Add(entry.Rpi);
            }
        }
    }

    /// <summary>
    /// Whether a coded entry of any day kept is from a sender whose key of that day (or the day before, for
    /// an RPI still on the air after midnight) is in <paramref name="published"/>: a simulation's check of a
    /// phone against newly published keys without decoding its log. Entries kept in full are not looked at
    /// (<see cref="CopyUncodedIdentifiers"/>).
    /// </summary>
    public bool HeardAnyOf(CodedSenders published)
    {
        ArgumentNullException.ThrowIfNull(published);
        if (published.IsEmpty)
        {
            return false;
        }

        foreach (var day in _days.Values)
        {
            if (day.HeardAnyOf(published))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The RPIs kept in full (not coded) on the days kept: the rest of a simulation's check.</summary>
    public void CopyUncodedIdentifiers(List<RollingProximityIdentifier> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        foreach (var day in _days.Values)
        {
            day.AddUncodedIdentifiers(destination);
        }
    }

    /// <summary>
    /// Seals every day before <paramref name="today"/> that is still open for writing (a simulation calls this
    /// before its codebook forgets how to encode those days; a day is otherwise sealed when writing moves on).
    /// </summary>
    public void SealDaysBefore(DateOnly today)
    {
        var unixDay = DeviceStore.UnixDay(today);
        foreach (var day in _days.Values)
        {
            if (day.UnixDay >= unixDay)
            {
                break;
            }

            day.Seal();
            if (ReferenceEquals(day, _recording))
            {
                _recording = null;
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
            DayOf(encounter.UnixDay).Encounters.Set(encounter);
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
            deleted += removed.InstanceCount + removed.Encounters.Count + removed.Scans;
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
        var tally = day.Encounters.Tally(close);
        var (bluezone, bluezoneClose, other, otherClose) = (tally.Bluezone, tally.BluezoneClose, tally.Other, tally.OtherClose);
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

    private ContactDay DayOf(int unixDay)
    {
        if (_recording is not null && _recording.UnixDay == unixDay)
        {
            return _recording;
        }

        // A day is written during that day (and a few seconds into the next, for a scan open at midnight):
        // when writing moves on, the day before is sealed (coded, trimmed, its look-ups dropped) — first, so that
        // its working buffers serve the day written next.
        _recording?.Seal();
        _recording = null;
        if (!_days.TryGetValue(unixDay, out var day))
        {
            day = new ContactDay(unixDay, _codebook, _buffers);
            _days.Add(unixDay, day);
        }

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

    /// <summary>A scan instance as indices into its day's tables (as read back).</summary>
    private readonly record struct CompactInstance(int Heard, int Scan, byte TypicalAttenuation, byte MinAttenuation);

    /// <summary>
    /// A counting sort of a day's instances by entry, keeping recording (time) order within an entry:
    /// entry e's instances are order[starts[e] .. starts[e + 1]).
    /// </summary>
    private static void GroupByEntry(ReadOnlySpan<CompactInstance> instances, Span<int> starts, Span<int> order)
    {
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
}

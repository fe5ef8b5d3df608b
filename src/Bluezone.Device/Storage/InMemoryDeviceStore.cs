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
public sealed partial class InMemoryDeviceStore : IDeviceStore
{
    private readonly SortedDictionary<int, TemporaryExposureKey> _keys = [];
    private readonly SortedDictionary<int, Day> _days = [];
    private long _nextEncounterId = 1;

    public long NextEncounterId => _nextEncounterId;

    /// <summary>All scan instances kept, oldest day first (matching reads them).</summary>
    public IReadOnlyList<ScanInstance> LoadScanInstances() => [.. _days.Values.SelectMany(d => d.Instances)];

    public void Record(in ScanSummary scan, ReadOnlySpan<ScanInstance> instances, ReadOnlySpan<EncounterDay> encounters)
    {
        DayOf(DeviceStore.UnixDay(scan.StartUnixMs)).Scans++;
        foreach (var instance in instances)
        {
            var day = DayOf(DeviceStore.UnixDay(instance.ScanStartUnixMs));
            day.Instances.Add(instance);
            day.Rpis.Add(instance.Rpi);
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
        foreach (var day in _days.Keys.Where(d => d < oldestKept).ToArray())
        {
            var removed = _days[day];
            deleted += removed.Instances.Count + removed.Encounters.Count + removed.Scans;
            _days.Remove(day);
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

        return new DayHistory(date, new ContactCount(bluezone + other, bluezone), new ContactCount(bluezoneClose + otherClose, bluezoneClose), bluezone, day.Rpis.Count);
    }

    public IReadOnlyList<DateOnly> Days() =>
        _days.Where(d => d.Value.Scans > 0).Select(d => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + d.Key)).ToArray();

    public void DeleteAllData()
    {
        _keys.Clear();
        _days.Clear();
        _nextEncounterId = 1;
        ClearExposures();
    }

    private Day DayOf(int unixDay)
    {
        if (!_days.TryGetValue(unixDay, out var day))
        {
            day = new Day();
            _days.Add(unixDay, day);
        }

        return day;
    }

    private sealed class Day
    {
        public List<ScanInstance> Instances { get; } = [];

        public HashSet<RollingProximityIdentifier> Rpis { get; } = [];

        public Dictionary<long, EncounterDay> Encounters { get; } = [];

        public int Scans { get; set; }
    }
}

using Bluezone.Device.Encounters;
using Bluezone.Device.Matching;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Tests.Storage;

/// <summary>
/// The simulator's compact in-memory contact log gives back exactly what was recorded, and the same as the
/// SQLite store, whatever the mix of days, scans, RPIs and relinked encounters.
/// </summary>
public sealed class InMemoryDeviceStoreTests : IDisposable
{
    private static readonly long Day0Ms = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly Support.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Scan_instances_come_back_as_recorded_in_order_and_as_the_sqlite_store_has_them()
    {
        var memory = new InMemoryDeviceStore();
        using var sqlite = DeviceStore.Open(_directory.Path);
        var recorded = RecordCity(memory, sqlite, seed: 7);

        Assert.Equal(recorded, memory.LoadScanInstances());
        Assert.Equal(recorded.OrderBy(i => i.ScanStartUnixMs).ThenBy(i => i.Rpi), sqlite.LoadScanInstances().OrderBy(i => i.ScanStartUnixMs).ThenBy(i => i.Rpi));
        for (var day = 0; day < 3; day++)
        {
            var date = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(Day0Ms).UtcDateTime).AddDays(day);
            Assert.Equal(sqlite.History(date), memory.History(date));
        }
    }

    [Fact]
    public void Instances_by_identifier_are_the_same_instances_sorted_by_rpi_then_time()
    {
        var memory = new InMemoryDeviceStore();
        using var sqlite = DeviceStore.Open(_directory.Path);
        var recorded = RecordCity(memory, sqlite, seed: 11);

        var sorted = memory.LoadScanInstancesByIdentifier();

        Assert.Equal(recorded.OrderBy(i => i.Rpi).ThenBy(i => i.ScanStartUnixMs).ThenBy(i => i.EncounterId), sorted.OrderBy(i => i.Rpi).ThenBy(i => i.ScanStartUnixMs).ThenBy(i => i.EncounterId));
        var log = SightingLog.BuildFromSorted(sorted);
        var reference = SightingLog.Build(recorded);
        Assert.Equal(reference.DistinctIdentifiers, log.DistinctIdentifiers);
        for (var g = 0; g < log.DistinctIdentifiers; g++)
        {
            Assert.Equal(reference.Group(g).ToArray().Select(i => (i.Rpi, i.ScanStartUnixMs)), log.Group(g).ToArray().Select(i => (i.Rpi, i.ScanStartUnixMs)));
        }
    }

    [Fact]
    public void A_log_out_of_order_is_refused()
    {
        var a = new ScanInstance(new RollingProximityIdentifier(2, 0), default, Day0Ms, 50, 50, 200, 1);
        var b = a with { Rpi = new RollingProximityIdentifier(1, 0) };

        Assert.Throws<ArgumentException>(() => SightingLog.BuildFromSorted([a, b]));
    }

    [Fact]
    public void Purged_days_are_gone_and_later_days_stay_intact()
    {
        var memory = new InMemoryDeviceStore();
        using var sqlite = DeviceStore.Open(_directory.Path);
        var recorded = RecordCity(memory, sqlite, seed: 3);
        var firstDay = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(Day0Ms).UtcDateTime);

        memory.Purge(firstDay.AddDays(DeviceStore.RetentionDays)); // the first day is now the 15th back

        Assert.Equal(recorded.Where(i => i.ScanStartUnixMs >= Day0Ms + 86_400_000), memory.LoadScanInstances());
        Assert.Equal(0, memory.History(firstDay).Encounters);
    }

    [Fact]
    public void A_day_written_again_after_writing_moved_on_gives_back_what_was_recorded_in_order()
    {
        var memory = new InMemoryDeviceStore();
        using var sqlite = DeviceStore.Open(_directory.Path);
        var random = new Random(5);
        var recorded = new List<ScanInstance>();
        var rpis = Enumerable.Range(0, 90).Select(i => new RollingProximityIdentifier((ulong)random.NextInt64(), (ulong)i)).ToArray();
        for (var k = 0; k < 300; k++)
        {
            // Scans of two days interleaved (each switch seals the other day, the next reopens it), a few
            // hundred sources per day (past the one-byte source numbers), extreme attenuations and gaps.
            var day = random.Next(2);
            var scanMs = Day0Ms + (day * 86_400_000L) + (k * 100_000L) + random.Next(1000);
            var instances = new List<ScanInstance>();
            for (var j = 0; j < 1 + random.Next(8); j++)
            {
                var typical = (byte)random.Next(256);
                var minimum = (byte)(random.Next(4) == 0 ? random.Next(256) : Math.Max(0, typical - random.Next(20)));
                var seconds = random.Next(3) == 0 ? random.Next(-5, 100_000) : 100;
                instances.Add(new ScanInstance(rpis[random.Next(rpis.Length)] with { Low = (ulong)random.Next(400) }, new AssociatedEncryptedMetadata((uint)random.Next(3)), scanMs, typical, minimum, seconds, 1 + random.Next(50)));
            }

            var encounters = instances.Select(i => new EncounterDay(i.EncounterId, (int)(scanMs / 86_400_000), EncounterKind.Bluezone, scanMs, scanMs, 100, random.Next(2000), 1)).DistinctBy(e => e.EncounterId).ToArray();
            var summary = new ScanSummary(scanMs, scanMs + 4000, 100, instances.Count, 0, 0);
            memory.Record(summary, instances.ToArray(), encounters);
            sqlite.Record(summary, instances.ToArray(), encounters);
            recorded.AddRange(instances);
        }

        sqlite.Flush();
        Assert.Equal(recorded.OrderBy(i => i.ScanStartUnixMs / 86_400_000), memory.LoadScanInstances());
        Assert.Equal(
            recorded.OrderBy(i => i.Rpi).ThenBy(i => i.ScanStartUnixMs).ThenBy(i => i.EncounterId).ThenBy(i => i.Aem.Value).ThenBy(i => i.TypicalAttenuation),
            memory.LoadScanInstancesByIdentifier().OrderBy(i => i.Rpi).ThenBy(i => i.ScanStartUnixMs).ThenBy(i => i.EncounterId).ThenBy(i => i.Aem.Value).ThenBy(i => i.TypicalAttenuation));
        var firstDay = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(Day0Ms).UtcDateTime);
        memory.SealDaysBefore(firstDay.AddDays(5));
        Assert.Equal(recorded.OrderBy(i => i.ScanStartUnixMs / 86_400_000), memory.LoadScanInstances());
        foreach (var date in sqlite.Days())
        {
            Assert.Equal(sqlite.History(date), memory.History(date));
        }
    }

    /// <summary>
    /// Three days of scans every ~4 minutes hearing a handful of rotating RPIs, some heard across midnight,
    /// some relinked into a second encounter the same day; recorded into both stores.
    /// </summary>
    private static List<ScanInstance> RecordCity(InMemoryDeviceStore memory, DeviceStore sqlite, int seed)
    {
        var random = new Random(seed);
        var recorded = new List<ScanInstance>();
        var encounters = new Dictionary<long, EncounterDay>();
        long encounterId = 1;
        var encounterOf = new Dictionary<(int Phone, int Interval), long>();
        for (var scanMs = Day0Ms + 600_000; scanMs < Day0Ms + (3 * 86_400_000); scanMs += 240_000 + random.Next(60_000))
        {
            var instances = new List<ScanInstance>();
            var updates = new List<EncounterDay>();
            var interval = (int)((scanMs - 300_000) / 600_000); // rotations a little late: RPIs cross midnight
            for (var phone = 0; phone < 1 + random.Next(6); phone++)
            {
                var key = (phone, interval);
                if (!encounterOf.TryGetValue(key, out var id) || random.Next(40) == 0)
                {
                    id = encounterId++; // a new encounter, or the same RPI relinked into another one
                    encounterOf[key] = id;
                }

                var rpi = new RollingProximityIdentifier((ulong)(phone * 7919), (ulong)interval);
                var typical = (byte)(45 + random.Next(40));
                instances.Add(new ScanInstance(rpi, new AssociatedEncryptedMetadata((uint)(phone + interval)), scanMs, typical, (byte)(typical - random.Next(5)), 240, id));
                var unixDay = (int)(scanMs / 86_400_000);
                var row = encounters.TryGetValue(id, out var old) && old.UnixDay == unixDay
                    ? old with { LastUnixMs = scanMs + 4000, Seconds = old.Seconds + 240, CloseSeconds = old.CloseSeconds + (typical <= 55 ? 240 : 0) }
                    : new EncounterDay(id, unixDay, EncounterKind.Bluezone, scanMs, scanMs + 4000, 240, typical <= 55 ? 240 : 0, 1);
                encounters[id] = row;
                if (!updates.Exists(u => u.EncounterId == id))
                {
                    updates.Add(row);
                }
            }

            var summary = new ScanSummary(scanMs, scanMs + 4000, 240, instances.Count, 0, 0);
            memory.Record(summary, instances.ToArray(), updates.ToArray());
            sqlite.Record(summary, instances.ToArray(), updates.ToArray());
            recorded.AddRange(instances);
        }

        sqlite.Flush();
        return recorded;
    }
}

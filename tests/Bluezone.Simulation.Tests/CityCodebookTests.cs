using Bluezone.Device.Encounters;
using Bluezone.Device.Matching;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Simulation.Radio;

namespace Bluezone.Simulation.Tests;

/// <summary>
/// The city codebook and the contact logs coded with it: a code decodes to exactly what was heard, a coded log
/// gives back what a log in full gives, and the sync's check in code space never skips a phone that would match.
/// </summary>
public sealed class CityCodebookTests
{
    private const int Senders = 8;
    private const int Unknown = 99; // a phone the codebook never learns
    private const long MsPerDay = 86_400_000;
    private static readonly int Day0 = new DateOnly(2026, 11, 2).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    [Fact]
    public void A_code_decodes_to_the_heard_identifier_and_only_exact_identifiers_of_the_table_day_are_encoded()
    {
        var city = new City(seed: 1);
        var codebook = city.Codebook();
        codebook.BuildTable(Day0);

        for (var sender = 0; sender < Senders; sender++)
        {
            foreach (var interval in new[] { (Day0 * 144) - 1, Day0 * 144, (Day0 * 144) + 77, (Day0 * 144) + 143 })
            {
                var (rpi, aem) = city.Broadcast(sender, interval);
                Assert.True(codebook.TryEncode(Day0, rpi, aem, out var code));
                Assert.Equal(sender, code.Sender);
                var rpis = new RollingProximityIdentifier[1];
                var aems = new AssociatedEncryptedMetadata[1];
                codebook.Decode(Day0, code.Sender, [code.Slot], rpis, aems);
                Assert.Equal((rpi, aem), (rpis[0], aems[0]));

                Assert.False(codebook.TryEncode(Day0, rpi, new AssociatedEncryptedMetadata(aem.Value ^ 1), out _));
                Assert.True(codebook.Knows(Day0, rpi));
                Assert.False(codebook.TryEncode(Day0 + 1, rpi, aem, out _));
            }

            var (early, earlyAem) = city.Broadcast(sender, (Day0 * 144) - 2); // yesterday, but not its last interval
            Assert.False(codebook.TryEncode(Day0, early, earlyAem, out _));
        }

        var (foreign, foreignAem) = city.Broadcast(Unknown, Day0 * 144);
        Assert.False(codebook.TryEncode(Day0, foreign, foreignAem, out _));
        Assert.False(codebook.Knows(Day0, foreign));
        Assert.True(codebook.TryFindSender(city.KeyOf(3, Day0).KeyData, out var keyDay, out var keySender));
        Assert.Equal((Day0, 3), (keyDay, keySender));
    }

    [Fact]
    public void A_look_up_repeated_after_the_table_changed_or_on_another_codebook_answers_from_that_table()
    {
        var city = new City(seed: 1);
        var codebook = city.Codebook();
        var other = new City(seed: 2).Codebook(); // the same senders with other keys
        other.BuildTable(Day0);
        codebook.BuildTable(Day0);
        var (midday, middayAem) = city.Broadcast(5, (Day0 * 144) + 77);
        var (last, lastAem) = city.Broadcast(5, (Day0 * 144) + 143);
        var (next, nextAem) = city.Broadcast(5, ((Day0 + 1) * 144) + 3);

        // Asked twice on the same thread: the second answer comes from the thread's recent look-ups.
        for (var pass = 0; pass < 2; pass++)
        {
            Assert.True(codebook.TryEncode(Day0, midday, middayAem, out var code));
            Assert.Equal(new IdentifierCode(5, 78), code);
            Assert.False(codebook.TryEncode(Day0, midday, new AssociatedEncryptedMetadata(middayAem.Value ^ 1), out _));
            Assert.False(other.Knows(Day0, midday));
            Assert.False(other.TryEncode(Day0, midday, middayAem, out _));
            Assert.False(codebook.Knows(Day0, next));
        }

        codebook.BuildTable(Day0 + 1);
        Assert.False(codebook.Knows(Day0 + 1, midday)); // yesterday's, but not its last interval
        Assert.True(codebook.TryEncode(Day0 + 1, last, lastAem, out var slot0));
        Assert.Equal(new IdentifierCode(5, 0), slot0);
        Assert.True(codebook.TryEncode(Day0 + 1, next, nextAem, out var fresh));
        Assert.Equal(new IdentifierCode(5, 4), fresh);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(13)]
    public void A_coded_log_gives_back_what_was_recorded_and_what_a_log_in_full_gives(int seed)
    {
        var city = new City(seed);
        var codebook = city.Codebook();
        var coded = new InMemoryDeviceStore(codebook);
        var full = new InMemoryDeviceStore();
        var recorded = city.Record(codebook, [coded, full], foreignAem: false);

        AssertSameLog(recorded[0], full, coded);
        var heardCoded = new List<RollingProximityIdentifier>();
        var heardFull = new List<RollingProximityIdentifier>();
        coded.CopyHeardIdentifiers(heardCoded);
        full.CopyHeardIdentifiers(heardFull);
        Assert.Equal(heardFull, heardCoded);
        Assert.Equal(full.Days(), coded.Days());

        // Most of it is coded (only the unknown phone's RPIs are in full), and it is smaller.
        coded.CopyUncodedIdentifiers(heardCoded);
        Assert.All(heardCoded, rpi => Assert.Contains(rpi, city.UnknownRpis));
        Assert.True(coded.ContactLogBytes * 2 < full.ContactLogBytes, $"{coded.ContactLogBytes} vs {full.ContactLogBytes}");
    }

    [Fact]
    public void An_rpi_of_the_city_heard_with_another_aem_keeps_its_day_in_full_and_exact()
    {
        var city = new City(seed: 4);
        var codebook = city.Codebook();
        var coded = new InMemoryDeviceStore(codebook);
        var full = new InMemoryDeviceStore();
        var recorded = city.Record(codebook, [coded, full], foreignAem: true);

        AssertSameLog(recorded[0], full, coded);
    }

    /// <summary>The coded log gives back what was recorded, in both orders, and the same history as the log in full.</summary>
    private static void AssertSameLog(IReadOnlyList<ScanInstance> recorded, InMemoryDeviceStore full, InMemoryDeviceStore coded)
    {
        Assert.Equal(recorded, coded.LoadScanInstances());
        Assert.Equal(full.LoadScanInstancesByIdentifier(), coded.LoadScanInstancesByIdentifier());
        foreach (var day in full.Days())
        {
            Assert.Equal(full.History(day), coded.History(day));
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void The_check_in_code_space_passes_every_phone_that_heard_a_published_key_and_not_one_that_heard_none(int seed)
    {
        var (city, codebook, stores, recorded) = SixPhones(seed);
        var random = new Random(seed);
        var keyDays = new[] { Day0 - 1, Day0, Day0 + 1 };
        var heard = new List<RollingProximityIdentifier>();
        var hits = new List<SightingMatch>();
        for (var trial = 0; trial < 40; trial++)
        {
            // Some keys published (the unknown phone's too, sometimes).
            var published = new List<TemporaryExposureKey>();
            foreach (var day in keyDays)
            {
                foreach (var sender in Enumerable.Range(0, Senders).Append(Unknown))
                {
                    if (random.Next(12) == 0)
                    {
                        published.Add(city.KeyOf(sender, day));
                    }
                }
            }

            var identifiers = published.SelectMany(k => Enumerable.Range(0, 144).Select(i => city.Broadcast(city.SenderOf(k), k.RollingStartIntervalNumber.Value + i).Rpi)).ToArray();
            var index = SightingIndex.Build(identifiers);
            var senders = SendersOf(codebook, published);
            for (var s = 0; s < stores.Length; s++)
            {
                var matches = recorded[s].Any(i => index.TryFind(i.Rpi, out _));
                stores[s].CopyUncodedIdentifiers(heard);
                hits.Clear();
                var passes = stores[s].HeardAnyOf(senders) || index.FindAll(heard.ToArray(), hits) > 0;
                if (matches)
                {
                    Assert.True(passes, $"store {s} heard a published RPI but was skipped");
                }

                var heardSenders = recorded[s].Select(i => city.SenderOfRpi(i.Rpi)).ToHashSet();
                if (!published.Any(k => heardSenders.Contains(city.SenderOf(k))))
                {
                    Assert.False(passes, $"store {s} heard none of the published senders but passed");
                }
            }
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void Reading_a_log_for_published_keys_gives_every_instance_of_their_rpis_and_the_same_exposure_windows(int seed)
    {
        var (city, codebook, stores, _) = SixPhones(seed);
        var matcher = new ExposureMatcher();
        var random = new Random(seed);
        var keyDays = new[] { Day0 - 1, Day0, Day0 + 1 };
        var partialsSmaller = 0;
        var windowsFound = 0;
        for (var trial = 0; trial < 30; trial++)
        {
            var published = keyDays
                .SelectMany(day => Enumerable.Range(0, Senders).Append(Unknown).Where(_ => random.Next(10) == 0).Select(sender => city.KeyOf(sender, day)))
                .ToList();
            var identifiers = PublishedIdentifiers.Derive([.. published.Select(k => new ExportedKey(k))]);
            var index = SightingIndex.Build(identifiers.Identifiers);
            var sources = new PublishedSources(
                SendersOf(codebook, published),
                rpi => index.TryFind(rpi, out _));
            foreach (var store in stores)
            {
                var whole = store.LoadScanInstancesByIdentifier();
                var partial = store.LoadScanInstancesByIdentifier(sources);
                Assert.Equal(whole.Where(i => index.TryFind(i.Rpi, out _)), partial.Where(i => index.TryFind(i.Rpi, out _)));
                Assert.Equal(whole.Where(partial.Contains), partial); // a subset, in the same order
                partialsSmaller += partial.Length < whole.Length ? 1 : 0;
                var expected = Windows(matcher.Match(identifiers, SightingLog.BuildFromSorted(whole)));
                windowsFound += expected.Count;
                Assert.Equal(expected, Windows(matcher.Match(identifiers, SightingLog.BuildFromSorted(partial))));
            }
        }

        Assert.True(partialsSmaller > 0, "every partial read was the whole log");
        Assert.True(windowsFound > 0, "nothing matched: the comparison says nothing");

        static List<string> Windows(IReadOnlyList<ExposureWindow> windows) =>
            [.. windows.Select(w => $"{w.KeyIndex} {w.Start:O} {w.SenderTxPowerDbm} " + string.Join(";", w.ScanInstances))];
    }

    /// <summary>Six phones' logs of one city, each with a subset of what was heard (<see cref="City.Record"/>).</summary>
    private static (City City, CityCodebook Codebook, InMemoryDeviceStore[] Stores, List<ScanInstance>[] Recorded) SixPhones(int seed)
    {
        var city = new City(seed);
        var codebook = city.Codebook();
        var stores = Enumerable.Range(0, 6).Select(_ => new InMemoryDeviceStore(codebook)).ToArray();
        return (city, codebook, stores, city.Record(codebook, stores, foreignAem: false, perStoreSubset: true));
    }

    /// <summary>The senders of the published keys the codebook knows, as the simulator's sync gathers them.</summary>
    private static CodedSenders SendersOf(CityCodebook codebook, IEnumerable<TemporaryExposureKey> published) =>
        new(published
            .Select(k => codebook.TryFindSender(k.KeyData, out var day, out var sender) ? (day, sender) : (0, -1))
            .Where(k => k.Item2 >= 0));

    [Fact]
    public void A_phone_that_heard_yesterdays_last_rpi_after_midnight_passes_when_yesterdays_key_is_published()
    {
        var city = new City(seed: 6);
        var codebook = city.Codebook();
        codebook.BuildTable(Day0);
        var store = new InMemoryDeviceStore(codebook);
        var (rpi, aem) = city.Broadcast(2, (Day0 * 144) - 1); // rotated late: still on the air at 00:06
        var scanMs = (Day0 * MsPerDay) + 360_000;
        store.Record(new ScanSummary(scanMs, scanMs + 4000, 240, 1, 0, 0), [new ScanInstance(rpi, aem, scanMs, 50, 48, 240, 1)], []);
        var uncoded = new List<RollingProximityIdentifier>();
        store.CopyUncodedIdentifiers(uncoded);

        Assert.Empty(uncoded);
        Assert.True(store.HeardAnyOf(new CodedSenders([(Day0 - 1, 2)])));
        Assert.False(store.HeardAnyOf(new CodedSenders([(Day0 - 2, 2), (Day0 + 1, 2), (Day0 - 1, 3)])));
        store.SealDaysBefore(DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + Day0 + 1));
        Assert.True(store.HeardAnyOf(new CodedSenders([(Day0 - 1, 2)])));
        Assert.Equal([new ScanInstance(rpi, aem, scanMs, 50, 48, 240, 1)], store.LoadScanInstances());
    }

    /// <summary>
    /// A few phones with keys for three days and known transmit powers, one of them unknown to the codebook, and
    /// scans of them every few minutes around two midnights, as the city runs it: each day's table is built after
    /// the day's first five minutes, stores sealing the days before first.
    /// </summary>
    private sealed class City
    {
        private readonly Dictionary<(int Sender, int Day), TemporaryExposureKey> _keys = [];
        private readonly Dictionary<RollingProximityIdentifier, int> _senderOfRpi = [];
        private readonly int _seed;

        public City(int seed)
        {
            _seed = seed;
            var random = new Random(seed);
            foreach (var sender in Enumerable.Range(0, Senders).Append(Unknown))
            {
                foreach (var day in new[] { Day0 - 2, Day0 - 1, Day0, Day0 + 1 })
                {
                    var bytes = new byte[16];
                    random.NextBytes(bytes);
                    _keys[(sender, day)] = new TemporaryExposureKey(bytes, new IntervalNumber(day * 144));
                }
            }
        }

        public HashSet<RollingProximityIdentifier> UnknownRpis { get; } = [];

        public TemporaryExposureKey KeyOf(int sender, int day) => _keys[(sender, day)];

        public int SenderOf(TemporaryExposureKey key) => _keys.First(k => k.Value == key).Key.Sender;

        public int SenderOfRpi(RollingProximityIdentifier rpi) => _senderOfRpi[rpi];

        public CityCodebook Codebook()
        {
            var codebook = new CityCodebook(Senders);
            foreach (var ((sender, _), key) in _keys)
            {
                if (sender != Unknown)
                {
                    codebook.Register(sender, key, Metadata(sender));
                }
            }

            return codebook;
        }

        public (RollingProximityIdentifier Rpi, AssociatedEncryptedMetadata Aem) Broadcast(int sender, int interval)
        {
            var key = _keys[(sender, (int)Math.Floor(interval / 144.0))];
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(key.KeyData), new IntervalNumber(interval));
            var aem = KeySchedule.EncryptMetadata(KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.KeyData), rpi, Metadata(sender).ToArray());
            _senderOfRpi[rpi] = sender;
            if (sender == Unknown)
            {
                UnknownRpis.Add(rpi);
            }

            return (rpi, aem);
        }

        /// <summary>
        /// Records the same scans into every store (or, with <paramref name="perStoreSubset"/>, each store hears
        /// its own subset of the senders); returns what each store was given.
        /// </summary>
        public List<ScanInstance>[] Record(CityCodebook codebook, InMemoryDeviceStore[] stores, bool foreignAem, bool perStoreSubset = false)
        {
            var random = new Random(_seed);
            var recorded = stores.Select(_ => new List<ScanInstance>()).ToArray();
            var encounterOf = new Dictionary<(int Store, int Sender), long>();
            long nextEncounter = 1;
            var tableDay = int.MinValue;
            var hears = stores.Select(_ => Enumerable.Range(0, Senders).Append(Unknown).Where(_ => !perStoreSubset || random.Next(3) == 0).ToArray()).ToArray();
            for (var scanMs = ((Day0 - 1) * MsPerDay) + (23 * 3_600_000L); scanMs < ((Day0 + 1) * MsPerDay) + (2 * 3_600_000L); scanMs += 200_000 + random.Next(80_000))
            {
                var day = (int)(scanMs / MsPerDay);
                if (day != tableDay && scanMs - (day * MsPerDay) >= 300_000)
                {
                    foreach (var store in stores)
                    {
                        store.SealDaysBefore(DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + day));
                    }

                    codebook.BuildTable(day);
                    tableDay = day;
                }

                // Rotations come up to 8 minutes late, so yesterday's last RPI is heard after midnight.
                var interval = (int)((scanMs - 480_000) / 600_000);
                for (var s = 0; s < stores.Length; s++)
                {
                    var instances = new List<ScanInstance>();
                    var updates = new List<EncounterDay>();
                    foreach (var sender in hears[perStoreSubset ? s : 0])
                    {
                        if (random.Next(4) == 0)
                        {
                            continue;
                        }

                        var key = (perStoreSubset ? s : 0, sender);
                        if (!encounterOf.TryGetValue(key, out var id) || random.Next(30) == 0)
                        {
                            id = nextEncounter++; // a new encounter, or the same RPI relinked
                            encounterOf[key] = id;
                        }

                        var (rpi, aem) = Broadcast(sender, interval);
                        if (foreignAem && random.Next(50) == 0 && sender != Unknown)
                        {
                            aem = new AssociatedEncryptedMetadata(aem.Value ^ 0x100);
                        }

                        var typical = (byte)(40 + random.Next(50));
                        instances.Add(new ScanInstance(rpi, aem, scanMs, typical, (byte)(typical - random.Next(20)), 200 + random.Next(80), id));
                        updates.Add(new EncounterDay(id, day, EncounterKind.Bluezone, scanMs, scanMs + 4000, 240, typical < 60 ? 240 : 0, 1));
                    }

                    var summary = new ScanSummary(scanMs, scanMs + 4000, 240, instances.Count, 0, 0);
                    for (var t = 0; t < stores.Length; t++)
                    {
                        if (perStoreSubset ? t == s : s == 0)
                        {
                            stores[t].Record(summary, instances.ToArray(), updates.ToArray());
                            recorded[t].AddRange(instances);
                        }
                    }

                    if (!perStoreSubset)
                    {
                        break;
                    }
                }
            }

            return recorded[0] is var first && !perStoreSubset ? [.. recorded.Select(_ => first)] : recorded;
        }

        private static AdvertisementMetadata Metadata(int sender) => AdvertisementMetadata.ForTxPower((sbyte)(sender % 20 - 10));
    }
}

using Bluezone.Device.History;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Device.Tests.Support;

namespace Bluezone.Device.Tests.Encounters;

/// <summary>Scripted surroundings with known truth, through the real pipeline into a real SQLite store.</summary>
public sealed class HistoryScenarioTests : IDisposable
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Day = DateOnly.FromDateTime(Morning.UtcDateTime);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(8)]
    public void Three_phones_rotating_for_two_hours_and_two_other_devices_count_as_three_Bluezoners_and_five_people(int noiseDb)
    {
        var scenario = new ScanScenario(Morning) { NoiseDb = noiseDb }
            .Phone(45, TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromSeconds(40))
            .Phone(58, TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromSeconds(95))
            .Phone(80, TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromSeconds(10))
            .Other(50, TimeSpan.Zero, TimeSpan.FromHours(2))
            .Other(85, TimeSpan.Zero, TimeSpan.FromHours(2));

        var history = Replay(scenario);

        Assert.True(scenario.HeardRpis.Count >= 36, $"the phones broadcast {scenario.HeardRpis.Count} RPIs");
        Assert.Equal(scenario.HeardRpis.Count, history.DistinctRpis);
        Assert.Equal(3, history.Encounters);
        Assert.Equal(new ContactCount(People: 5, Bluezoners: 3), history.Contacts);

        // Close: the two phones at 45 and 58 dB and the other device at 50 dB; not the ones at 80 and 85 dB.
        Assert.Equal(new ContactCount(People: 3, Bluezoners: 2), history.Close);
    }

    [Fact]
    public void A_phone_passing_by_briefly_is_a_contact_but_not_a_close_contact()
    {
        var scenario = new ScanScenario(Morning)
            .Phone(50, TimeSpan.Zero, TimeSpan.FromHours(1))
            .Phone(45, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(22));

        var history = Replay(scenario);

        Assert.Equal(new ContactCount(2, 2), history.Contacts);
        Assert.Equal(new ContactCount(1, 1), history.Close);
    }

    [Fact]
    public void Two_phones_rotating_at_the_same_instant_with_different_signals_stay_two_encounters()
    {
        // Both rotate exactly at every interval boundary; a continuous scan hears the swap within a second.
        var scenario = new ScanScenario(Morning) { ScanPeriod = TimeSpan.FromSeconds(4), ScanWindow = TimeSpan.FromSeconds(4) }
            .Phone(48, TimeSpan.Zero, TimeSpan.FromMinutes(45))
            .Phone(72, TimeSpan.Zero, TimeSpan.FromMinutes(45));

        var history = Replay(scenario);

        Assert.Equal(10, history.DistinctRpis); // 45 minutes from 08:00: five intervals each
        Assert.Equal(2, history.Encounters);
        Assert.Equal(new ContactCount(2, 2), history.Contacts);
        Assert.Equal(new ContactCount(1, 1), history.Close);
    }

    [Fact]
    public void A_phone_that_rotates_seconds_after_it_arrives_is_one_encounter_even_within_one_scan()
    {
        // Continuous scanning: the phone arrives 5 s before a boundary, so its first RPI lasts 5 s.
        var scenario = new ScanScenario(Morning - TimeSpan.FromSeconds(5)) { ScanPeriod = TimeSpan.FromSeconds(4) }
            .Phone(50, TimeSpan.Zero, TimeSpan.FromMinutes(25));

        var history = Replay(scenario);

        Assert.Equal(4, history.DistinctRpis);
        Assert.Equal(1, history.Encounters);
    }

    [Fact]
    public void A_phone_that_left_and_a_newcomer_after_the_link_window_count_as_two()
    {
        var scenario = new ScanScenario(Morning)
            .Phone(50, TimeSpan.Zero, TimeSpan.FromMinutes(30))
            .Phone(50, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(80));

        var history = Replay(scenario);

        Assert.Equal(2, history.Encounters);
        Assert.Equal(new ContactCount(2, 2), history.Close);
    }

    [Fact]
    public void An_encounter_across_midnight_counts_on_both_days()
    {
        var lateEvening = new DateTimeOffset(2026, 11, 20, 23, 30, 0, TimeSpan.Zero);
        var scenario = new ScanScenario(lateEvening).Phone(50, TimeSpan.Zero, TimeSpan.FromHours(1));
        using var store = DeviceStore.Open(_directory.Path);
        Feed(store, scenario.Build());

        var before = store.History(new DateOnly(2026, 11, 20));
        var after = store.History(new DateOnly(2026, 11, 21));

        Assert.Equal(1, before.Encounters);
        Assert.Equal(1, after.Encounters);
        Assert.Equal(new ContactCount(1, 1), before.Close);
        Assert.Equal(new ContactCount(1, 1), after.Close);
    }

    [Fact]
    public void Non_Bluezone_addresses_are_never_written_to_the_store()
    {
        var scenario = new ScanScenario(Morning).Other(50, TimeSpan.Zero, TimeSpan.FromMinutes(30));
        var sightings = scenario.Build();
        using (var store = DeviceStore.Open(_directory.Path))
        {
            Feed(store, sightings);
            Assert.Equal(new ContactCount(1, 0), store.History(Day).Contacts);
        }

        var bytes = File.ReadAllBytes(_directory.File("device.db"));
        foreach (var address in sightings.Select(s => s.Address).Distinct())
        {
            var big = BitConverter.GetBytes(address.Value).AsSpan(0, 6).ToArray();
            Array.Reverse(big);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(big));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(BitConverter.GetBytes(address.Value).AsSpan(0, 6)));
        }
    }

    [Fact]
    public void The_live_view_counts_the_last_minute_only()
    {
        var scenario = new ScanScenario(Morning) { ScanPeriod = TimeSpan.FromSeconds(4) }
            .Phone(45, TimeSpan.Zero, TimeSpan.FromMinutes(3))
            .Phone(80, TimeSpan.Zero, TimeSpan.FromMinutes(1))
            .Other(50, TimeSpan.Zero, TimeSpan.FromMinutes(3));
        using var store = DeviceStore.Open(_directory.Path);
        var processor = new SightingProcessor(store, CalibrationTable.Defaults.Global);
        var sightings = scenario.Build();
        var firstMinute = Morning + TimeSpan.FromSeconds(59);
        foreach (var sighting in sightings.Where(s => s.Time <= firstMinute))
        {
            processor.Ingest(sighting);
        }

        var atOneMinute = processor.Live(firstMinute);
        Assert.Equal((3, 2, 2, 1), (atOneMinute.Devices, atOneMinute.Bluezoners, atOneMinute.Near, atOneMinute.Around));
        Assert.Equal([true, false, true], atOneMinute.List.Select(d => d.IsBluezoner)); // nearest first: 45, 50, 80 dB

        foreach (var sighting in sightings.Where(s => s.Time > firstMinute))
        {
            processor.Ingest(sighting);
        }

        var later = processor.Live(Morning + TimeSpan.FromMinutes(3));
        Assert.Equal((2, 1, 2, 0), (later.Devices, later.Bluezoners, later.Near, later.Around));

        var muchLater = processor.Live(Morning + TimeSpan.FromMinutes(10));
        Assert.Equal(0, muchLater.Devices);
        Assert.Empty(muchLater.List);
    }

    [Fact]
    public void The_in_memory_store_for_simulations_gives_the_same_history_as_the_SQLite_store()
    {
        var evening = new DateTimeOffset(2026, 11, 20, 22, 0, 0, TimeSpan.Zero);
        var scenario = new ScanScenario(evening, seed: 11)
            .Phone(45, TimeSpan.Zero, TimeSpan.FromHours(3), TimeSpan.FromSeconds(30))
            .Phone(70, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(90))
            .Phone(52, TimeSpan.FromMinutes(100), TimeSpan.FromMinutes(104))
            .Phone(60, TimeSpan.FromMinutes(130), TimeSpan.FromHours(3))
            .Other(50, TimeSpan.Zero, TimeSpan.FromHours(2))
            .Other(75, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40));
        var sightings = scenario.Build();
        var memory = new InMemoryDeviceStore();
        using var disk = DeviceStore.Open(_directory.Path);
        Feed(memory, sightings);
        Feed(disk, sightings);

        Assert.Equal(disk.Days(), memory.Days());
        Assert.Equal(2, disk.Days().Count);
        foreach (var day in disk.Days())
        {
            Assert.Equal(disk.History(day), memory.History(day));
        }

        Assert.Equal(scenario.HeardRpis.Count, disk.Days().Sum(d => disk.History(d).DistinctRpis));
        Assert.Equal(disk.NextEncounterId, memory.NextEncounterId);
    }

    private DayHistory Replay(ScanScenario scenario)
    {
        using var store = DeviceStore.Open(_directory.Path);
        Feed(store, scenario.Build());
        return store.History(Day);
    }

    private static void Feed(IDeviceStore store, List<ReceivedAdvertisement> sightings)
    {
        var processor = new SightingProcessor(store, CalibrationTable.Defaults.Global);
        foreach (var sighting in sightings)
        {
            processor.Ingest(sighting);
        }

        processor.Complete();
        store.Flush();
    }
}

using Bluezone.Device.Matching;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Export;
using Bluezone.Tests;

namespace Bluezone.Device.Tests.Matching;

public sealed class ExposureMatcherTests
{
    private static readonly DateTimeOffset Noon = MatchingScenario.Day.AddHours(12);
    private static readonly TimeSpan Scan = TimeSpan.FromMinutes(4);

    private static IReadOnlyList<ExposureDay> Score(MatchingScenario scenario, params ExportedKey[] published)
    {
        var windows = new ExposureMatcher().Match(published, SightingLog.Build(scenario.Log));
        return ExposureScoring.Score(windows, DeviceConfiguration.Default);
    }

    [Fact]
    public void Twenty_minutes_close_to_a_confirmed_key_make_a_risky_day()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(20), Scan, attenuation: 50).Noise(5_000, seed: 1);

        var day = Assert.Single(Score(scenario, f0, MatchingScenario.NewKey(), MatchingScenario.NewKey()));
        Assert.True(day.IsRisky);
        Assert.Equal(DateOnly.FromDateTime(Noon.UtcDateTime), day.Day);
        Assert.Equal(ReportType.ConfirmedTest, day.ReportType);
        Assert.Equal(20, day.WeightedMinutes, precision: 6);
    }

    [Fact]
    public void A_brief_contact_is_matched_but_not_risky()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(8), Scan, attenuation: 50);
        var day = Assert.Single(Score(scenario, f0));
        Assert.False(day.IsRisky);
        Assert.Equal(8, day.WeightedMinutes, precision: 6);
    }

    [Fact]
    public void Far_sightings_weigh_nothing()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromHours(2), Scan, attenuation: 80);
        Assert.All(Score(scenario, f0), day => Assert.False(day.IsRisky));
    }

    [Fact]
    public void Medium_distance_counts_half()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(28), Scan, attenuation: 70);
        Assert.Equal(14, Assert.Single(Score(scenario, f0)).WeightedMinutes, precision: 6);
    }

    [Fact]
    public void Sightings_more_than_two_hours_from_the_rpi_interval_are_replays()
    {
        var f0 = MatchingScenario.NewKey();
        // The RPIs of 09:00 heard again from 12:00 on: someone recorded and rebroadcast them.
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(30), Scan, attenuation: 50, rpiTime: Noon.AddHours(-3));
        Assert.Empty(new ExposureMatcher().Match([f0], SightingLog.Build(scenario.Log)));
    }

    [Fact]
    public void Sightings_of_one_rpi_after_twenty_minutes_are_dropped()
    {
        var f0 = MatchingScenario.NewKey();
        // One RPI (of 12:00) heard for an hour: only its first 20 minutes count.
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromHours(1), Scan, attenuation: 50, rpiTime: Noon);
        var windows = new ExposureMatcher().Match([f0], SightingLog.Build(scenario.Log));
        var instances = windows.SelectMany(w => w.ScanInstances).ToList();
        Assert.Equal(6, instances.Count); // 12:00, 12:04 … 12:20
        Assert.All(instances, i => Assert.True(i.Time <= Noon.AddMinutes(20)));
    }

    [Fact]
    public void Implausible_tx_power_in_the_metadata_is_rejected()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(30), Scan, attenuation: 50, txPower: 40);
        Assert.Empty(new ExposureMatcher().Match([f0], SightingLog.Build(scenario.Log)));
    }

    [Fact]
    public void Attenuation_is_corrected_with_the_senders_true_tx_power()
    {
        var f0 = MatchingScenario.NewKey();
        // Stored assuming −24 dBm; the sender really sent at −10 dBm, so it was 14 dB further away than it looked.
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(20), Scan, attenuation: 50, txPower: -10);
        var window = Assert.Single(new ExposureMatcher().Match([f0], SightingLog.Build(scenario.Log)));
        Assert.Equal(-10, window.SenderTxPowerDbm);
        Assert.All(window.ScanInstances, i => Assert.Equal(64, i.TypicalAttenuation));
        Assert.False(Assert.Single(ExposureScoring.Score([window], DeviceConfiguration.Default)).IsRisky); // 64 dB is medium: 10 weighted minutes
    }

    [Fact]
    public void Windows_last_at_most_thirty_minutes()
    {
        var f0 = MatchingScenario.NewKey();
        var scenario = new MatchingScenario().Hear(f0, Noon, TimeSpan.FromMinutes(90), Scan, attenuation: 50);
        var windows = new ExposureMatcher().Match([f0], SightingLog.Build(scenario.Log));
        Assert.Equal(3, windows.Count);
        Assert.All(windows, w => Assert.True(w.ScanInstances[^1].Time - w.Start < ExposureWindow.MaxDuration));
        Assert.Equal(23 * 4, Assert.Single(ExposureScoring.Score(windows, DeviceConfiguration.Default)).WeightedMinutes, precision: 6); // scans at 0, 4 … 88 min
    }

    [Fact]
    public void A_recursive_key_is_scored_as_recursive_and_onset_weights_apply()
    {
        var f1 = MatchingScenario.NewKey(ReportType.Recursive, daysSinceOnset: null);
        var late = MatchingScenario.NewKey(ReportType.ConfirmedTest, daysSinceOnset: 13);
        var scenario = new MatchingScenario()
            .Hear(f1, Noon, TimeSpan.FromMinutes(20), Scan, attenuation: 50)
            .Hear(late, Noon.AddHours(2), TimeSpan.FromMinutes(60), Scan, attenuation: 50);
        var days = Score(scenario, f1, late);
        Assert.Equal(2, days.Count);
        Assert.True(days.Single(d => d.ReportType == ReportType.Recursive).IsRisky);
        Assert.Equal(0, days.Single(d => d.ReportType == ReportType.ConfirmedTest).WeightedMinutes); // day +13 weighs 0
    }

    [Fact]
    public void A_key_revealed_on_its_own_day_matches_only_within_its_rolling_period()
    {
        var full = MatchingScenario.NewKey();
        var revealed = new ExportedKey(full.Key.WithRollingPeriod(72), full.ReportType, full.DaysSinceOnsetOfSymptoms); // valid until 12:00
        var scenario = new MatchingScenario().Hear(full, Noon.AddHours(3), TimeSpan.FromMinutes(20), Scan, attenuation: 50);
        Assert.Empty(new ExposureMatcher().Match([revealed], SightingLog.Build(scenario.Log)));
        Assert.Single(new ExposureMatcher().Match([full], SightingLog.Build(scenario.Log)));
    }

    [Fact]
    public void Shared_derivation_and_threaded_streaming_give_the_same_windows()
    {
        var keys = Enumerable.Range(0, 500).Select(_ => MatchingScenario.NewKey()).ToList();
        var scenario = new MatchingScenario().Noise(20_000, seed: 2);
        foreach (var k in new[] { 3, 64, 65, 250, 499 })
        {
            scenario.Hear(keys[k], Noon.AddMinutes(k), TimeSpan.FromMinutes(16), Scan, attenuation: 55);
        }

        var log = SightingLog.Build(scenario.Log);
        var shared = new ExposureMatcher().Match(PublishedIdentifiers.Derive(keys), log);
        var streamed = new ExposureMatcher().Match(keys, log, threads: 2);
        Assert.Equal(new[] { 3, 64, 65, 250, 499 }, shared.Select(w => w.KeyIndex).Distinct());
        Assert.Equal(shared.Select(w => (w.KeyIndex, w.Start, w.ScanInstances.Count)), streamed.Select(w => (w.KeyIndex, w.Start, w.ScanInstances.Count)));
    }

    [Fact]
    public void Looking_a_small_logs_rpis_up_in_indexed_keys_gives_the_same_windows()
    {
        var keys = Enumerable.Range(0, 300).Select(_ => MatchingScenario.NewKey()).ToList();
        keys.Add(keys[42]); // listed twice: both listings are matched, whichever side is looked up
        int[] heard = [0, 42, 143, 299];

        // 0 and 200 noise RPIs: fewer distinct RPIs than the 43,344 identifiers, so the log's RPIs are looked up
        // in the keys' index; 60,000: more, so the identifiers are looked up in the log's index as before.
        foreach (var noise in new[] { 0, 200, 60_000 })
        {
            var scenario = new MatchingScenario().Noise(noise, seed: 4);
            foreach (var k in heard)
            {
                scenario.Hear(keys[k], Noon.AddMinutes(k), TimeSpan.FromMinutes(16), Scan, attenuation: (byte)(55 + (k % 7)));
            }

            var log = SightingLog.Build(scenario.Log);
            var plain = new ExposureMatcher().Match(PublishedIdentifiers.Derive(keys), log);
            var indexed = new ExposureMatcher().Match(PublishedIdentifiers.Derive(keys, indexed: true), log);
            Assert.Equal([0, 42, 143, 299, 300], plain.Select(w => w.KeyIndex).Distinct());
            Assert.Equal(plain.Select(w => (w.KeyIndex, w.Start)), indexed.Select(w => (w.KeyIndex, w.Start)));
            Assert.Equal(plain.SelectMany(w => w.ScanInstances), indexed.SelectMany(w => w.ScanInstances));
        }
    }

    [Fact]
    public void A_key_of_another_implementations_export_is_found_among_its_200()
    {
        var export = ExportArchive.Read(File.ReadAllBytes(SharedData.PathOf("gaen/sample-export.bin")));
        var keys = export.Batch.Keys;
        var planted = keys[137];
        Assert.True(planted.Key.RollingPeriod >= 5); // its sightings below lie within its validity
        var heardAt = planted.Key.RollingStartIntervalNumber.StartTime.AddMinutes(10);
        var scenario = new MatchingScenario().Noise(10_000, seed: 3).Hear(planted, heardAt, TimeSpan.FromMinutes(20), Scan, attenuation: 52);

        var windows = new ExposureMatcher().Match(keys, SightingLog.Build(scenario.Log));
        Assert.NotEmpty(windows);
        Assert.All(windows, w => Assert.Equal(137, w.KeyIndex));
    }
}

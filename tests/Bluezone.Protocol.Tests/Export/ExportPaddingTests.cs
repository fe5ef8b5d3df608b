using Bluezone.Protocol.Export;

namespace Bluezone.Protocol.Tests.Export;

public sealed class ExportPaddingTests
{
    [Fact]
    public void Padding_reaches_the_minimum_plus_at_most_the_jitter_and_keeps_the_real_keys()
    {
        var real = ExportSamples.RandomKeys(7, 11);

        for (var seed = 0; seed < 20; seed++)
        {
            var padded = ExportPadding.Pad(real, 100, 10, new SeededRandom(seed));

            Assert.InRange(padded.Count, 100, 110);
            Assert.Equal(real, padded.Take(real.Count));
        }
    }

    [Fact]
    public void The_jitter_takes_every_value_from_0_to_its_maximum()
    {
        var real = ExportSamples.RandomKeys(1, 12);

        var counts = Enumerable.Range(0, 200).Select(seed => ExportPadding.Pad(real, 10, 3, new SeededRandom(seed)).Count).ToHashSet();

        Assert.Equal([10, 11, 12, 13], counts.Order());
    }

    [Fact]
    public void Fake_keys_copy_the_metadata_of_real_keys_and_have_fresh_bytes()
    {
        var real = ExportSamples.RandomKeys(5, 13);
        var metadata = real.Select(k => (k.Key.RollingStartIntervalNumber, k.Key.RollingPeriod, k.ReportType, k.DaysSinceOnsetOfSymptoms)).ToHashSet();
        var realBytes = real.Select(k => Hex.Format(k.Key.KeyData)).ToHashSet();

        var fakes = ExportPadding.Pad(real, 1000, 0, new SeededRandom(1)).Skip(real.Count).ToList();

        Assert.Equal(995, fakes.Count);
        Assert.All(fakes, f => Assert.Contains((f.Key.RollingStartIntervalNumber, f.Key.RollingPeriod, f.ReportType, f.DaysSinceOnsetOfSymptoms), metadata));
        var fakeBytes = fakes.Select(f => Hex.Format(f.Key.KeyData)).ToList();
        Assert.Equal(fakeBytes.Count, fakeBytes.Distinct().Count());
        Assert.DoesNotContain(fakeBytes, realBytes.Contains);

        // Every real key's metadata is copied roughly equally often (995 draws over 5 keys: about 199 each).
        var perModel = fakes.GroupBy(f => (f.Key.RollingStartIntervalNumber, f.Key.RollingPeriod, f.ReportType, f.DaysSinceOnsetOfSymptoms)).Select(g => g.Count()).ToList();
        Assert.Equal(5, perModel.Count);
        Assert.All(perModel, n => Assert.InRange(n, 140, 260));
    }

    [Fact]
    public void The_same_seed_gives_the_same_padding()
    {
        var real = ExportSamples.RandomKeys(3, 14);

        Assert.Equal(ExportPadding.Pad(real, 50, 5, new SeededRandom(9)), ExportPadding.Pad(real, 50, 5, new SeededRandom(9)));
    }

    [Fact]
    public void Enough_real_keys_are_returned_unchanged()
    {
        var real = ExportSamples.RandomKeys(30, 15);

        Assert.Equal(real, ExportPadding.Pad(real, 20, 5, new SeededRandom(1)));
    }

    [Fact]
    public void An_empty_list_stays_empty()
    {
        Assert.Empty(ExportPadding.Pad([], 1000, 100, new SeededRandom(1)));
    }

    [Fact]
    public void A_padded_batch_still_round_trips()
    {
        var padded = ExportPadding.Pad(ExportSamples.RandomKeys(3, 16), 200, 0, new SeededRandom(2));
        var batch = ExportBatch.Covering("VN", [.. padded], [ExportSamples.Info]);

        Assert.Equal(200, ExportBinFormat.Read(ExportBinFormat.Write(batch)).Keys.Count);
    }
}

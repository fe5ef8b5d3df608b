using Bluezone.Protocol.Export;
using Bluezone.Protocol.Time;
using Bluezone.Tests;

namespace Bluezone.Protocol.Tests.Export;

/// <summary>The sample export.bin written by another GAEN implementation (Google's server).</summary>
public sealed class SampleExportTests
{
    private static readonly byte[] Sample = File.ReadAllBytes(SharedData.PathOf("gaen/sample-export.bin"));

    [Fact]
    public void The_sample_reads_with_its_region_batch_timestamps_and_200_keys()
    {
        var batch = ExportBinFormat.Read(Sample);

        Assert.Equal("US", batch.Region);
        Assert.Equal(1, batch.BatchNum);
        Assert.Equal(1, batch.BatchSize);
        Assert.Equal(1588425586, batch.StartTimestamp.ToUnixTimeSeconds());
        Assert.Equal(1588857586, batch.EndTimestamp.ToUnixTimeSeconds());
        Assert.Equal(200, batch.Keys.Count);
        Assert.Empty(batch.RevisedKeys);
        Assert.All(batch.Keys, k => Assert.Equal(16, k.Key.KeyData.Length));
    }

    [Fact]
    public void Keys_without_a_rolling_period_in_the_sample_get_a_full_day()
    {
        var wire = ExportBinFormat.ParseWire(Sample);
        var batch = ExportBinFormat.Read(Sample);

        var absent = Enumerable.Range(0, wire.Keys.Count).Where(i => !wire.Keys[i].HasRollingPeriod).ToList();
        Assert.NotEmpty(absent);
        Assert.All(absent, i => Assert.Equal(IntervalNumber.PerDay, batch.Keys[i].Key.RollingPeriod));
        Assert.Contains(batch.Keys, k => k.Key.RollingPeriod != IntervalNumber.PerDay);
    }

    [Fact]
    public void The_sample_keeps_its_key_order_and_transmission_risk()
    {
        var batch = ExportBinFormat.Read(Sample);

        Assert.Equal("00068b4d1fb011b9c9ae2744419d4ab3", Hex.Format(batch.Keys[0].Key.KeyData));
        Assert.Equal(2625468, batch.Keys[0].Key.RollingStartIntervalNumber.Value);
        Assert.Equal(141, batch.Keys[0].Key.RollingPeriod);
        Assert.Equal(2, batch.Keys[0].TransmissionRiskLevel);
        Assert.Equal(ReportType.Unknown, batch.Keys[0].ReportType);
        Assert.Null(batch.Keys[0].DaysSinceOnsetOfSymptoms);
    }

    [Fact]
    public void Re_encoding_the_parsed_message_gives_the_same_bytes()
    {
        var wire = ExportBinFormat.ParseWire(Sample);

        Assert.Equal(Sample, ExportBinFormat.WriteWire(wire));
    }

    [Fact]
    public void The_sample_is_sorted_so_our_writer_keeps_its_keys_in_place()
    {
        // Google's server sorts by key bytes as ours does, so writing the parsed batch reproduces the key list.
        var batch = ExportBinFormat.Read(Sample);
        var rewritten = ExportBinFormat.Read(ExportBinFormat.Write(batch));

        Assert.Equal(batch.Keys, rewritten.Keys);
    }
}

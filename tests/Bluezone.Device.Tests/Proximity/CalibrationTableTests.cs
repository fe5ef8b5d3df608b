using Bluezone.Device.Proximity;
using Bluezone.Tests;

namespace Bluezone.Device.Tests.Proximity;

public sealed class CalibrationTableTests
{
    private static readonly Lazy<CalibrationTable> Shared = new(() => CalibrationTable.Load(SharedData.PathOf("calibration/en-calibration-2020-06-13.csv")));

    [Fact]
    public void The_documented_defaults_are_the_global_averages_of_the_published_table()
    {
        var table = Shared.Value;

        Assert.Equal(9896, table.ModelCount);
        Assert.Equal(CalibrationTable.Defaults.Global with { }, table.Global);
        Assert.Equal(CalibrationTable.DefaultRssiCorrection, table.Global.RssiCorrection);
        Assert.Equal(CalibrationTable.DefaultTxPowerDbm, table.Global.TxPowerDbm);
    }

    [Fact]
    public void A_known_model_is_found_exactly_and_quoted_model_names_are_read()
    {
        var table = Shared.Value;

        var chromebook = table.Find("Asus", "AST21");
        Assert.Equal(new DeviceCalibration(-6, -22, CalibrationSource.Model), chromebook);
        Assert.Equal(CalibrationSource.Model, table.Find("Sharp", "2T-C40AE1T\"").Source);
        Assert.Equal(chromebook, table.Find("Asus,AST21"));
        Assert.Equal(chromebook, table.Find("asus", "ast21"));
    }

    [Fact]
    public void An_unknown_model_falls_back_to_its_OEM_average_then_to_the_global_average()
    {
        var table = Shared.Value;

        Assert.Equal(CalibrationSource.OemAverage, table.Find("Samsung", "Galaxy Nonexistent").Source);
        Assert.Equal(CalibrationSource.GlobalAverage, table.Find("NoSuchMaker", "X").Source);
        Assert.Equal(table.Global, table.Find(null));
    }

    [Fact]
    public void A_malformed_row_is_reported_with_its_line()
    {
        var error = Assert.Throws<FormatException>(() => CalibrationTable.Load(new StringReader("header\nAcme,One,1,-20,yes\nAcme,Two,x,-20,no\n"), "cal.csv"));
        Assert.Contains("cal.csv line 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-60, 55, ProximityBucket.Immediate)]
    [InlineData(-61, 56, ProximityBucket.Near)]
    [InlineData(-68, 63, ProximityBucket.Near)]
    [InlineData(-78, 73, ProximityBucket.Medium)]
    [InlineData(-79, 74, ProximityBucket.Other)]
    public void Attenuation_is_tx_minus_corrected_rssi_and_falls_into_the_design_buckets(int rssi, int attenuation, ProximityBucket bucket)
    {
        var phone = new DeviceCalibration(-4, -24, CalibrationSource.GlobalAverage);
        var options = new ProximityOptions();

        Assert.Equal(attenuation, phone.AttenuationOf(rssi, senderTxPowerDbm: -9));
        Assert.Equal(bucket, options.BucketOf(attenuation));
    }
}

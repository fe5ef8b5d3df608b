using Bluezone.Device.Energy;

namespace Bluezone.Device.Tests.Energy;

public sealed class EnergyModelTests
{
    [Fact]
    public void The_default_duty_cycle_is_under_ten_percent_of_a_3000_mAh_battery_a_day()
    {
        var estimate = EnergyModel.Estimate(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(255), TimeSpan.FromSeconds(4), 3000);

        Assert.InRange(estimate.PercentPerDay, 1, 10);
        Assert.Equal(estimate.Items.Sum(i => i.MilliampHoursPerDay), estimate.MilliampHoursPerDay, 6);
    }

    [Fact]
    public void Scanning_cost_is_proportional_to_the_scan_duty_and_advertising_cost_to_the_advertising_rate()
    {
        var baseline = EnergyModel.Estimate(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(255), TimeSpan.FromSeconds(4), 3000);
        var doubleScan = EnergyModel.Estimate(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(255), TimeSpan.FromSeconds(8), 3000);
        var halfAdvertising = EnergyModel.Estimate(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(255), TimeSpan.FromSeconds(4), 3000);

        Assert.Equal(2 * baseline.Items[1].MilliampHoursPerDay, doubleScan.Items[1].MilliampHoursPerDay, 6);
        Assert.Equal(baseline.Items[0].MilliampHoursPerDay / 2, halfAdvertising.Items[0].MilliampHoursPerDay, 6);

        // Continuous scanning at the Nexus 5 low-latency figure: (454 − 268) / 0.9 mA, all day.
        var continuous = EnergyModel.Estimate(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4), 3000);
        Assert.Equal(24 * 186 / 0.9, continuous.Items[1].MilliampHoursPerDay, 6);
    }

    [Theory]
    [InlineData(10, 255, 4, 3000)]
    [InlineData(250, 3, 4, 3000)]
    [InlineData(250, 255, 0, 3000)]
    [InlineData(250, 255, 4, 0)]
    public void Impossible_inputs_are_refused(double advertiseMs, double periodS, double windowS, double battery) =>
        Assert.Throws<ArgumentException>(() => EnergyModel.Estimate(TimeSpan.FromMilliseconds(advertiseMs), TimeSpan.FromSeconds(periodS), TimeSpan.FromSeconds(windowS), battery));
}

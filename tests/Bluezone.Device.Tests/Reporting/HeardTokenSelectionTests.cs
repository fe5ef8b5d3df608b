using Bluezone.Device.Reporting;
using Bluezone.Protocol.Configuration;

namespace Bluezone.Device.Tests.Reporting;

/// <summary>
/// Which heard RPIs an F0 turns into heard tokens: those heard at an attenuation that counts toward risk under the
/// signed configuration (every bucket with a non-zero weight), plus the margin for radio asymmetry.
/// </summary>
public sealed class HeardTokenSelectionTests
{
    [Fact]
    public void With_the_default_configuration_the_medium_bucket_counts_and_far_does_not()
    {
        var limit = ReportUploads.HeardTokenAttenuationLimit(DeviceConfiguration.Default);
        Assert.Equal(73 + ReportUploads.HeardTokenMarginDb, limit);
        Assert.True(DeviceConfiguration.Default.AttenuationWeight(70) > 0); // medium: counts toward risk …
        Assert.True(70 <= limit);                                        // … so it gives a heard token
        Assert.Equal(0, DeviceConfiguration.Default.AttenuationWeight(85)); // far: weight 0 …
        Assert.True(85 > limit);                                             // … and no heard token
    }

    [Theory]
    [InlineData(new[] { 1.0, 1.0, 0.0, 0.0 }, 63 + ReportUploads.HeardTokenMarginDb)] // medium switched off
    [InlineData(new[] { 1.0, 0.0, 0.0, 0.0 }, 55 + ReportUploads.HeardTokenMarginDb)] // immediate only
    [InlineData(new[] { 1.0, 0.0, 0.5, 0.0 }, 73 + ReportUploads.HeardTokenMarginDb)] // a zero bucket in between: closer than a counted one still counts
    [InlineData(new[] { 1.0, 1.0, 0.5, 0.1 }, int.MaxValue)]                          // "other" counts: every RPI heard
    [InlineData(new[] { 0.0, 0.0, 0.0, 0.0 }, -1)]                                    // nothing counts: no heard token
    public void The_limit_follows_the_farthest_bucket_with_a_non_zero_weight(double[] weights, int expected)
    {
        var configuration = DeviceConfiguration.Default with { AttenuationWeights = weights };
        Assert.Empty(configuration.Validate());
        Assert.Equal(expected, ReportUploads.HeardTokenAttenuationLimit(configuration));
    }

    [Fact]
    public void The_limit_moves_with_the_configurations_thresholds()
    {
        var configuration = DeviceConfiguration.Default with { AttenuationThresholds = [50, 60, 68] };
        Assert.Equal(68 + ReportUploads.HeardTokenMarginDb, ReportUploads.HeardTokenAttenuationLimit(configuration));
    }
}

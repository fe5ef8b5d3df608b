using Bluezone.Protocol.Configuration;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Configuration;

/// <summary>
/// What phones are told to use (section <c>Bluezone:Device</c>), DESIGN.md §4–5. The authority changes these
/// values in its configuration and restarts; phones pick them up at their next sync, without an app update.
/// </summary>
public sealed class DeviceConfigurationOptions
{
    public const string Section = "Bluezone:Device";

    /// <summary>Upper bounds (dB) of the immediate, near and medium attenuation buckets.</summary>
    public int[] AttenuationThresholds { get; set; } = [55, 63, 73];

    /// <summary>Weights of the immediate, near, medium and other buckets.</summary>
    public double[] AttenuationWeights { get; set; } = [1.0, 1.0, 0.5, 0.0];

    /// <summary>Weight by report type: confirmed test, clinical diagnosis, recursive (F1).</summary>
    public double ConfirmedTestWeight { get; set; } = 1.0;

    public double ClinicalDiagnosisWeight { get; set; } = 1.0;

    public double RecursiveWeight { get; set; } = 1.0;

    /// <summary>Infectiousness weight by days since symptom onset, −14 … +14 (29 values).</summary>
    public double[] InfectiousnessWeights { get; set; } =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0,
    ];

    /// <summary>Weighted minutes from one key in one day that make the day risky.</summary>
    public double RiskThresholdMinutes { get; set; } = 15;

    /// <summary>Tx power assumed for a sighting whose metadata is unknown: the calibration table's mean.</summary>
    public int DefaultTxPowerDbm { get; set; } = DeviceConfiguration.Default.DefaultTxPowerDbm;

    public int ScanSeconds { get; set; } = 4;

    public int ScanIntervalMinSeconds { get; set; } = 210;

    public int ScanIntervalMaxSeconds { get; set; } = 300;

    public int AdvertiseIntervalMinMilliseconds { get; set; } = 200;

    public int AdvertiseIntervalMaxMilliseconds { get; set; } = 270;

    /// <summary>Days a phone keeps its sightings and keys.</summary>
    public int RetentionDays { get; set; } = 14;

    public DeviceConfiguration ToConfiguration(DateTimeOffset issuedAt) => new(
        DeviceConfiguration.CurrentVersion,
        issuedAt,
        AttenuationThresholds,
        AttenuationWeights,
        new Dictionary<string, double>
        {
            ["confirmed"] = ConfirmedTestWeight,
            ["clinical"] = ClinicalDiagnosisWeight,
            ["recursive"] = RecursiveWeight,
        },
        InfectiousnessWeights,
        RiskThresholdMinutes,
        DefaultTxPowerDbm,
        ScanSeconds,
        ScanIntervalMinSeconds,
        ScanIntervalMaxSeconds,
        AdvertiseIntervalMinMilliseconds,
        AdvertiseIntervalMaxMilliseconds,
        RetentionDays);
}

internal sealed class DeviceConfigurationOptionsValidator : IValidateOptions<DeviceConfigurationOptions>
{
    // The rules live with the configuration model, which phones apply to what they download as well.
    public ValidateOptionsResult Validate(string? name, DeviceConfigurationOptions options)
    {
        var errors = options.ToConfiguration(DateTimeOffset.UnixEpoch).Validate();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{DeviceConfigurationOptions.Section}: {e}"));
    }
}

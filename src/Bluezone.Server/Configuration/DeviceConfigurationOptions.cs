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

    /// <summary>Tx power assumed for a sighting whose metadata is unknown.</summary>
    public int DefaultTxPowerDbm { get; set; } = -8;

    public int ScanSeconds { get; set; } = 4;

    public int ScanIntervalMinSeconds { get; set; } = 210;

    public int ScanIntervalMaxSeconds { get; set; } = 300;

    public int AdvertiseIntervalMinMilliseconds { get; set; } = 200;

    public int AdvertiseIntervalMaxMilliseconds { get; set; } = 270;

    /// <summary>Days a phone keeps its sightings and keys.</summary>
    public int RetentionDays { get; set; } = 14;
}

internal sealed class DeviceConfigurationOptionsValidator : IValidateOptions<DeviceConfigurationOptions>
{
    public ValidateOptionsResult Validate(string? name, DeviceConfigurationOptions o)
    {
        var errors = new List<string>();
        if (o.AttenuationThresholds is not { Length: 3 } t || t[0] < 0 || t[0] > t[1] || t[1] > t[2] || t[2] > 255)
        {
            errors.Add("Bluezone:Device:AttenuationThresholds must be three increasing values in 0–255 dB.");
        }

        if (o.AttenuationWeights is not { Length: 4 } || o.AttenuationWeights.Any(w => w is < 0 or > 2.5 || double.IsNaN(w)))
        {
            errors.Add("Bluezone:Device:AttenuationWeights must be four weights in 0–2.5.");
        }

        if (o.InfectiousnessWeights is not { Length: 29 } || o.InfectiousnessWeights.Any(w => w is < 0 or > 2.5 || double.IsNaN(w)))
        {
            errors.Add("Bluezone:Device:InfectiousnessWeights must be 29 weights (days −14…+14) in 0–2.5.");
        }

        if (new[] { o.ConfirmedTestWeight, o.ClinicalDiagnosisWeight, o.RecursiveWeight }.Any(w => w is < 0 or > 2.5 || double.IsNaN(w)))
        {
            errors.Add("Bluezone:Device report type weights must be in 0–2.5.");
        }

        if (o.RiskThresholdMinutes is <= 0 or > 1440 || double.IsNaN(o.RiskThresholdMinutes))
        {
            errors.Add("Bluezone:Device:RiskThresholdMinutes must be in (0, 1440].");
        }

        if (o.DefaultTxPowerDbm is < -50 or > 20)
        {
            errors.Add("Bluezone:Device:DefaultTxPowerDbm must be in −50…20 dBm.");
        }

        if (o.ScanSeconds is < 1 or > 60 || o.ScanIntervalMinSeconds < o.ScanSeconds || o.ScanIntervalMaxSeconds < o.ScanIntervalMinSeconds || o.ScanIntervalMaxSeconds > 3600)
        {
            errors.Add("Bluezone:Device scan settings must satisfy 1 ≤ ScanSeconds ≤ 60 ≤ … and ScanSeconds ≤ ScanIntervalMinSeconds ≤ ScanIntervalMaxSeconds ≤ 3600.");
        }

        if (o.AdvertiseIntervalMinMilliseconds is < 20 or > 10_000 || o.AdvertiseIntervalMaxMilliseconds < o.AdvertiseIntervalMinMilliseconds || o.AdvertiseIntervalMaxMilliseconds > 10_000)
        {
            errors.Add("Bluezone:Device advertise interval must satisfy 20 ≤ min ≤ max ≤ 10000 ms.");
        }

        if (o.RetentionDays is < 1 or > 30)
        {
            errors.Add("Bluezone:Device:RetentionDays must be 1–30.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

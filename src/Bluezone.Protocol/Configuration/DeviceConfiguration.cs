using System.Text.Json;
using System.Text.Json.Serialization;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Configuration;

/// <summary>
/// What the health authority tells every phone (DESIGN.md §4–5): how to turn scan instances into risk, and
/// the radio duty cycle. The server signs it (<see cref="SignedDeviceConfiguration"/>) so it can be tuned without
/// an app update; the phone falls back to <see cref="Default"/> until it has a verified copy. One model serves
/// both sides, so the JSON they exchange cannot drift apart.
/// </summary>
/// <param name="AttenuationThresholds">Upper bounds (dB) of the immediate, near and medium buckets; above is "other".</param>
/// <param name="AttenuationWeights">Weights of the immediate, near, medium and other buckets.</param>
/// <param name="ReportTypeWeights">Weight by report type: keys <c>confirmed</c>, <c>clinical</c>, <c>recursive</c> and optionally <c>unknown</c>.</param>
/// <param name="InfectiousnessWeights">Weight by days since symptom onset, −14 … +14 (29 values).</param>
/// <param name="RiskThresholdMinutes">Weighted minutes from one key in one day that make the day risky.</param>
/// <param name="DefaultTxPowerDbm">Tx power assumed for a sighting whose sender is not (yet) known.</param>
public sealed record DeviceConfiguration(
    int Version,
    DateTimeOffset IssuedAt,
    int[] AttenuationThresholds,
    double[] AttenuationWeights,
    IReadOnlyDictionary<string, double> ReportTypeWeights,
    double[] InfectiousnessWeights,
    double RiskThresholdMinutes,
    int DefaultTxPowerDbm,
    int ScanSeconds,
    int ScanIntervalMinSeconds,
    int ScanIntervalMaxSeconds,
    int AdvertiseIntervalMinMilliseconds,
    int AdvertiseIntervalMaxMilliseconds,
    int RetentionDays)
{
    public const int CurrentVersion = 1;

    /// <summary>Days since onset covered by <see cref="InfectiousnessWeights"/>: −14 … +14.</summary>
    public const int MaxDaysSinceOnset = 14;

    /// <summary>
    /// DESIGN.md's defaults. Infectiousness follows the shape GAEN authorities used: half two days before
    /// onset, full from the day before to six days after, half for the five days after that, none otherwise. The default tx power is
    /// the mean of the 2020-06-13 calibration table's <c>tx</c> column (−24 dBm, on the same scale as its rows).
    /// </summary>
    public static DeviceConfiguration Default { get; } = new(
        CurrentVersion,
        DateTimeOffset.UnixEpoch,
        [55, 63, 73],
        [1.0, 1.0, 0.5, 0.0],
        new Dictionary<string, double> { ["confirmed"] = 1.0, ["clinical"] = 1.0, ["recursive"] = 1.0 },
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0],
        15,
        -24,
        4,
        210,
        300,
        200,
        270,
        14);

    /// <summary>Weight of the bucket that <paramref name="attenuationDb"/> falls in.</summary>
    public double AttenuationWeight(int attenuationDb)
    {
        for (var bucket = 0; bucket < AttenuationThresholds.Length; bucket++)
        {
            if (attenuationDb <= AttenuationThresholds[bucket])
            {
                return AttenuationWeights[bucket];
            }
        }

        return AttenuationWeights[^1];
    }

    /// <summary>
    /// Weight of a report type; types a phone must not act on (self-report, revoked) weigh 0. A key without a
    /// report type (exports older than GAEN v1.5, other implementations) weighs as <c>unknown</c> when the
    /// configuration names it, else as <c>confirmed</c>: a health authority's key server publishes only verified
    /// keys, which is how GAEN's <c>reportTypeNoneMap</c> was set in practice.
    /// </summary>
    public double ReportTypeWeight(ReportType reportType) => reportType switch
    {
        ReportType.Unknown => ReportTypeWeights.TryGetValue("unknown", out var unknown) ? unknown : ReportTypeWeights.GetValueOrDefault("confirmed"),
        ReportType.ConfirmedTest => ReportTypeWeights.GetValueOrDefault("confirmed"),
        ReportType.ConfirmedClinicalDiagnosis => ReportTypeWeights.GetValueOrDefault("clinical"),
        ReportType.Recursive => ReportTypeWeights.GetValueOrDefault("recursive"),
        _ => 0,
    };

    /// <summary>
    /// Weight by days since symptom onset. An unknown onset weighs 1: the authority already bounded the
    /// uploaded keys to the infectious window (DESIGN.md §6), and dropping them would miss asymptomatic cases.
    /// </summary>
    public double InfectiousnessWeight(int? daysSinceOnset) => daysSinceOnset switch
    {
        null => 1.0,
        < -MaxDaysSinceOnset or > MaxDaysSinceOnset => 0,
        { } d => InfectiousnessWeights[d + MaxDaysSinceOnset],
    };

    /// <summary>The problems with this configuration, empty when it is usable (the server refuses to start otherwise,
    /// the phone refuses to adopt it).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AttenuationThresholds is not { Length: 3 } t || t[0] < 0 || t[0] > t[1] || t[1] > t[2] || t[2] > 255)
        {
            errors.Add("attenuationThresholds must be three increasing values in 0–255 dB");
        }

        if (AttenuationWeights is not { Length: 4 } || AttenuationWeights.Any(BadWeight))
        {
            errors.Add("attenuationWeights must be four weights in 0–2.5");
        }

        if (InfectiousnessWeights is not { Length: 2 * MaxDaysSinceOnset + 1 } || InfectiousnessWeights.Any(BadWeight))
        {
            errors.Add("infectiousnessWeights must be 29 weights (days −14…+14) in 0–2.5");
        }

        if (ReportTypeWeights is null || ReportTypeWeights.Values.Any(BadWeight))
        {
            errors.Add("reportTypeWeights must be weights in 0–2.5");
        }

        if (RiskThresholdMinutes is <= 0 or > 1440 || double.IsNaN(RiskThresholdMinutes))
        {
            errors.Add("riskThresholdMinutes must be in (0, 1440]");
        }

        if (DefaultTxPowerDbm is < -50 or > 20)
        {
            errors.Add("defaultTxPowerDbm must be in −50…20 dBm");
        }

        if (ScanSeconds is < 1 or > 60 || ScanIntervalMinSeconds < ScanSeconds || ScanIntervalMaxSeconds < ScanIntervalMinSeconds || ScanIntervalMaxSeconds > 3600)
        {
            errors.Add("scan settings must satisfy 1 ≤ scanSeconds ≤ 60 and scanSeconds ≤ scanIntervalMinSeconds ≤ scanIntervalMaxSeconds ≤ 3600");
        }

        if (AdvertiseIntervalMinMilliseconds is < 20 or > 10_000 || AdvertiseIntervalMaxMilliseconds < AdvertiseIntervalMinMilliseconds || AdvertiseIntervalMaxMilliseconds > 10_000)
        {
            errors.Add("advertise interval must satisfy 20 ≤ min ≤ max ≤ 10000 ms");
        }

        if (RetentionDays is < 1 or > 30)
        {
            errors.Add("retentionDays must be 1–30");
        }

        return errors;
    }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ConfigurationJson.Default.DeviceConfiguration);

    /// <summary>Parses and validates configuration JSON; anything else is a <see cref="ProtocolFormatException"/>.</summary>
    public static DeviceConfiguration Parse(ReadOnlySpan<byte> json)
    {
        DeviceConfiguration? configuration;
        try
        {
            configuration = JsonSerializer.Deserialize(json, ConfigurationJson.Default.DeviceConfiguration);
        }
        catch (JsonException e)
        {
            return ThrowHelper.ThrowFormat<DeviceConfiguration>($"device configuration is not valid JSON of the expected shape: {e.Message}");
        }

        if (configuration is null)
        {
            return ThrowHelper.ThrowFormat<DeviceConfiguration>("device configuration is empty");
        }

        if (configuration.Version != CurrentVersion)
        {
            return ThrowHelper.ThrowFormat<DeviceConfiguration>($"device configuration version {configuration.Version} is not supported (expected {CurrentVersion})");
        }

        var errors = configuration.Validate();
        return errors.Count == 0
            ? configuration
            : ThrowHelper.ThrowFormat<DeviceConfiguration>("device configuration is invalid: " + string.Join("; ", errors));
    }

    private static bool BadWeight(double weight) => weight is < 0 or > 2.5 || double.IsNaN(weight);
}

/// <summary>Source-generated JSON (camelCase, the web defaults) so the protocol stays trimming- and AOT-safe.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(DeviceConfiguration))]
[JsonSerializable(typeof(SignedDeviceConfiguration))]
internal sealed partial class ConfigurationJson : JsonSerializerContext;

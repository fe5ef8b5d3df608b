using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bluezone.Protocol.Export;
using Bluezone.Server.Exports;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Configuration;

/// <summary>The device configuration as phones read it, before signing.</summary>
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
    int RetentionDays);

/// <summary>
/// The signed envelope: the configuration's exact JSON bytes (base64) and an ECDSA P-256 signature over them by
/// the export signing key, which the app already trusts. Signing bytes rather than a parsed object means no JSON
/// canonicalisation is needed: the phone verifies <see cref="Payload"/>, then parses it.
/// </summary>
public sealed record SignedDeviceConfiguration(
    [property: Description("UTF-8 JSON of the configuration, base64.")] string Payload,
    [property: Description("ECDSA P-256 / SHA-256 signature of the payload bytes, DER, base64.")] string Signature,
    string Algorithm,
    string KeyId,
    string KeyVersion);

/// <summary>Builds and signs the configuration once, at first request after start.</summary>
public sealed class SignedConfiguration(IOptions<DeviceConfigurationOptions> options, ExportSigningKey signingKey, TimeProvider time)
{
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    private readonly Lazy<SignedDeviceConfiguration> _signed = new(() => Sign(options.Value, signingKey, time.GetUtcNow()));

    public SignedDeviceConfiguration Current => _signed.Value;

    private static SignedDeviceConfiguration Sign(DeviceConfigurationOptions o, ExportSigningKey key, DateTimeOffset now)
    {
        var configuration = new DeviceConfiguration(
            Version,
            now,
            o.AttenuationThresholds,
            o.AttenuationWeights,
            new Dictionary<string, double>
            {
                ["confirmed"] = o.ConfirmedTestWeight,
                ["clinical"] = o.ClinicalDiagnosisWeight,
                ["recursive"] = o.RecursiveWeight,
            },
            o.InfectiousnessWeights,
            o.RiskThresholdMinutes,
            o.DefaultTxPowerDbm,
            o.ScanSeconds,
            o.ScanIntervalMinSeconds,
            o.ScanIntervalMaxSeconds,
            o.AdvertiseIntervalMinMilliseconds,
            o.AdvertiseIntervalMaxMilliseconds,
            o.RetentionDays);
        var payload = JsonSerializer.SerializeToUtf8Bytes(configuration, Json);
        var signature = key.Key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new SignedDeviceConfiguration(
            Convert.ToBase64String(payload),
            Convert.ToBase64String(signature),
            ExportSignatureInfo.EcdsaP256Sha256,
            key.Info.VerificationKeyId ?? "",
            key.Info.VerificationKeyVersion ?? "");
    }
}

using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Configuration;

/// <summary>
/// The configuration as served: its exact JSON bytes (base64) and an ECDSA P-256 / SHA-256 signature over them
/// by the export signing key, which phones already pin. Signing bytes rather than a parsed object means no JSON
/// canonicalisation: the phone verifies <see cref="Payload"/>, then parses it.
/// </summary>
/// <param name="Payload">UTF-8 JSON of a <see cref="DeviceConfiguration"/>, base64.</param>
/// <param name="Signature">ECDSA P-256 / SHA-256 signature of the payload bytes, DER (X9.62), base64.</param>
public sealed record SignedDeviceConfiguration(string Payload, string Signature, string Algorithm, string KeyId, string KeyVersion)
{
    public static SignedDeviceConfiguration Sign(DeviceConfiguration configuration, ECDsa signingKey, ExportSignatureInfo info)
    {
        var payload = configuration.ToJsonBytes();
        var signature = signingKey.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new SignedDeviceConfiguration(
            Convert.ToBase64String(payload),
            Convert.ToBase64String(signature),
            ExportSignatureInfo.EcdsaP256Sha256,
            info.VerificationKeyId ?? "",
            info.VerificationKeyVersion ?? "");
    }

    /// <summary>
    /// Checks the signature with the pinned public key, then parses. A bad signature or a malformed payload
    /// is a <see cref="ProtocolFormatException"/>: the phone keeps the configuration it had.
    /// </summary>
    public DeviceConfiguration Verify(ECDsa publicKey)
    {
        byte[] payload, signature;
        try
        {
            payload = Convert.FromBase64String(Payload ?? "");
            signature = Convert.FromBase64String(Signature ?? "");
        }
        catch (FormatException)
        {
            return ThrowHelper.ThrowFormat<DeviceConfiguration>("signed configuration: payload or signature is not base64");
        }

        if (Algorithm != ExportSignatureInfo.EcdsaP256Sha256)
        {
            return ThrowHelper.ThrowFormat<DeviceConfiguration>($"signed configuration: unsupported algorithm '{Algorithm}'");
        }

        bool valid;
        try
        {
            valid = publicKey.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        return valid
            ? DeviceConfiguration.Parse(payload)
            : ThrowHelper.ThrowFormat<DeviceConfiguration>("signed configuration: the signature does not verify with the pinned key");
    }
}

namespace Bluezone.Protocol.Export;

/// <summary>
/// Names the key an export is signed with, so a phone picks the right public key when the authority
/// rotates keys. Every field may be absent in files from elsewhere (null here).
/// </summary>
/// <param name="VerificationKeyId">Identifies the signer (in GAEN, the health authority's id, e.g. its MCC).</param>
/// <param name="VerificationKeyVersion">Which of the signer's keys, e.g. "v1".</param>
/// <param name="SignatureAlgorithm">ASN.1 OID of the algorithm; Bluezone writes <see cref="EcdsaP256Sha256"/>.</param>
public sealed record ExportSignatureInfo(string? VerificationKeyId, string? VerificationKeyVersion, string? SignatureAlgorithm = ExportSignatureInfo.EcdsaP256Sha256)
{
    /// <summary>OID of ECDSA with SHA-256, the only algorithm GAEN phones accept.</summary>
    public const string EcdsaP256Sha256 = "1.2.840.10045.4.3.2";
}

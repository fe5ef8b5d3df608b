using System.Security.Cryptography;

namespace Bluezone.Protocol.Export;

/// <summary>
/// One signature of an export.bin as carried in export.sig: ECDSA P-256 with SHA-256 over every byte of
/// export.bin (header included), encoded as an ASN.1 DER sequence (X9.62), which is what phones verify.
/// </summary>
public sealed class ExportSignature
{
    /// <summary>Longest DER encoding of a P-256 signature: SEQUENCE of two INTEGERs of up to 33 bytes each.</summary>
    public const int MaxP256DerLength = 72;

    private readonly byte[] _signature;

    /// <param name="info">Which key signed.</param>
    /// <param name="batchNum">Batch number of the signed file.</param>
    /// <param name="batchSize">Batch size of the signed file.</param>
    /// <param name="signature">The DER-encoded signature; copied.</param>
    public ExportSignature(ExportSignatureInfo info, int batchNum, int batchSize, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (signature.IsEmpty)
        {
            throw new ArgumentException("The signature is empty.", nameof(signature));
        }

        Info = info;
        BatchNum = batchNum;
        BatchSize = batchSize;
        _signature = signature.ToArray();
    }

    public ExportSignatureInfo Info { get; }

    public int BatchNum { get; }

    public int BatchSize { get; }

    /// <summary>The DER (X9.62) signature bytes.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Signs the bytes of an export.bin with a P-256 private key.</summary>
    /// <param name="exportBin">The complete export.bin, header included.</param>
    /// <param name="signingKey">A P-256 key with its private part.</param>
    /// <param name="info">Names the key; its algorithm must be ECDSA with SHA-256 (or absent).</param>
    public static ExportSignature Sign(ReadOnlySpan<byte> exportBin, ECDsa signingKey, ExportSignatureInfo info, int batchNum, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(info);
        RequireP256(signingKey, nameof(signingKey));
        if (info.SignatureAlgorithm is not null and not ExportSignatureInfo.EcdsaP256Sha256)
        {
            throw new ArgumentException($"Only ECDSA with SHA-256 ({ExportSignatureInfo.EcdsaP256Sha256}) is supported, not {info.SignatureAlgorithm}.", nameof(info));
        }

        var signature = signingKey.SignData(exportBin, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new ExportSignature(info, batchNum, batchSize, signature);
    }

    /// <summary>Signs a batch's export.bin with the batch's own number and size.</summary>
    public static ExportSignature Sign(ReadOnlySpan<byte> exportBin, ECDsa signingKey, ExportSignatureInfo info, ExportBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Sign(exportBin, signingKey, info, batch.BatchNum, batch.BatchSize);
    }

    /// <summary>
    /// Whether this signature is a valid signature of <paramref name="exportBin"/> by <paramref name="publicKey"/>.
    /// A wrong, malformed or foreign-algorithm signature gives false, never an exception.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> exportBin, ECDsa publicKey)
    {
        RequireP256(publicKey, nameof(publicKey));
        if (Info.SignatureAlgorithm is not null and not ExportSignatureInfo.EcdsaP256Sha256)
        {
            return false;
        }

        try
        {
            return publicKey.VerifyData(exportBin, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // Some platforms report an undecodable signature by throwing; to the caller it is simply invalid.
            return false;
        }
    }

    internal static void RequireP256(ECDsa key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.KeySize != 256)
        {
            throw new ArgumentException($"Exports are signed with P-256; this key has {key.KeySize} bits.", paramName);
        }
    }
}

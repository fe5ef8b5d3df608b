using System.Security.Cryptography;

namespace Bluezone.Protocol.Export;

/// <summary>
/// An export as read from a zip (export.bin with its signatures) or from a bare export.bin (no signatures).
/// Keeps the exact export.bin bytes, because signatures are over those bytes, not over a re-encoding.
/// </summary>
public sealed class SignedExport
{
    private readonly byte[] _exportBin;

    internal SignedExport(byte[] exportBin, ExportBatch batch, IReadOnlyList<ExportSignature> signatures, bool fromArchive)
    {
        _exportBin = exportBin;
        Batch = batch;
        Signatures = signatures;
        FromArchive = fromArchive;
    }

    /// <summary>The bytes of export.bin exactly as read.</summary>
    public ReadOnlySpan<byte> ExportBin => _exportBin;

    public ExportBatch Batch { get; }

    /// <summary>The signatures from export.sig; empty when a bare export.bin was read.</summary>
    public IReadOnlyList<ExportSignature> Signatures { get; }

    /// <summary>Whether the export came from a zip (true) or a bare export.bin (false).</summary>
    public bool FromArchive { get; }

    /// <summary>
    /// Whether some signature in export.sig verifies with <paramref name="publicKey"/> and names the same batch
    /// number and size as export.bin. False for a bare export.bin, a wrong key or a tampered file; never throws
    /// for a bad signature.
    /// </summary>
    public bool Verify(ECDsa publicKey)
    {
        ExportSignature.RequireP256(publicKey, nameof(publicKey));
        foreach (var signature in Signatures)
        {
            if (signature.BatchNum == Batch.BatchNum && signature.BatchSize == Batch.BatchSize && signature.Verify(_exportBin, publicKey))
            {
                return true;
            }
        }

        return false;
    }
}

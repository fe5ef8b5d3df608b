using Google.Protobuf;

namespace Bluezone.Protocol.Export;

/// <summary>export.sig: a protobuf <c>TEKSignatureList</c>, one entry per signing key.</summary>
public static class ExportSignatureFormat
{
    /// <summary>More signatures than any authority uses at once, even mid-rotation; a bound for hostile files.</summary>
    public const int MaxSignatures = 16;

    /// <summary>Longest signature accepted when reading: a DER P-256 signature is at most 72 bytes.</summary>
    public const int MaxSignatureLength = 256;

    public static byte[] Write(IEnumerable<ExportSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        var list = new Wire.TEKSignatureList();
        foreach (var signature in signatures)
        {
            ArgumentNullException.ThrowIfNull(signature, nameof(signatures));
            list.Signatures.Add(new Wire.TEKSignature
            {
                SignatureInfo = ExportBinFormat.ToWire(signature.Info),
                BatchNum = signature.BatchNum,
                BatchSize = signature.BatchSize,
                Signature = ByteString.CopyFrom(signature.Signature),
            });
        }

        if (list.Signatures.Count == 0)
        {
            throw new ArgumentException("export.sig needs at least one signature.", nameof(signatures));
        }

        return list.ToByteArray();
    }

    /// <exception cref="ExportFormatException">The bytes are not a valid export.sig; the message says why.</exception>
    public static IReadOnlyList<ExportSignature> Read(ReadOnlySpan<byte> data)
    {
        Wire.TEKSignatureList list;
        try
        {
            list = Wire.TEKSignatureList.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ExportFormatException($"export.sig: malformed protobuf ({e.Message})", e);
        }

        if (list.Signatures.Count == 0)
        {
            throw new ExportFormatException("export.sig: holds no signature");
        }

        if (list.Signatures.Count > MaxSignatures)
        {
            throw new ExportFormatException($"export.sig: {list.Signatures.Count} signatures exceed the limit of {MaxSignatures}");
        }

        var result = new ExportSignature[list.Signatures.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var wire = list.Signatures[i];
            if (wire.SignatureInfo is null)
            {
                throw new ExportFormatException($"export.sig: signatures[{i}]: signature_info is required");
            }

            if (!wire.HasBatchNum || !wire.HasBatchSize || wire.BatchSize < 1 || wire.BatchNum < 1 || wire.BatchNum > wire.BatchSize)
            {
                throw new ExportFormatException($"export.sig: signatures[{i}]: batch_num and batch_size are required with 1 ≤ num ≤ size");
            }

            if (!wire.HasSignature || wire.Signature.Length is 0 or > MaxSignatureLength)
            {
                throw new ExportFormatException($"export.sig: signatures[{i}]: signature must be 1–{MaxSignatureLength} bytes, got {wire.Signature.Length}");
            }

            result[i] = new ExportSignature(ExportBinFormat.FromWire(wire.SignatureInfo), wire.BatchNum, wire.BatchSize, wire.Signature.Span);
        }

        return result;
    }
}

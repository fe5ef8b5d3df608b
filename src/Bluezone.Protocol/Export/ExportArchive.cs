using System.IO.Compression;
using System.Security.Cryptography;

namespace Bluezone.Protocol.Export;

/// <summary>
/// The published export file: a zip with exactly two entries, export.bin and export.sig. Reading also
/// accepts a bare export.bin (told apart by its header), which then carries no signature.
/// </summary>
public static class ExportArchive
{
    public const string BinEntryName = "export.bin";

    public const string SigEntryName = "export.sig";

    /// <summary>Default cap on an entry's uncompressed size: far above the largest legitimate file (500,000 keys ≈ 15 MiB).</summary>
    public const int DefaultMaxEntryBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Writes <paramref name="batch"/> as export.bin, signs it with <paramref name="signingKey"/> under the batch's
    /// single signature info, and returns the zip.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not name exactly one signing key, or the key is not P-256.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key has no private part.</exception>
    public static byte[] Create(ExportBatch batch, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.SignatureInfos.Count != 1)
        {
            throw new ArgumentException($"The batch must name exactly one signing key to be signed with one key; it names {batch.SignatureInfos.Count}.", nameof(batch));
        }

        var bin = ExportBinFormat.Write(batch);
        var signature = ExportSignature.Sign(bin, signingKey, batch.SignatureInfos[0], batch);
        return Create(bin, ExportSignatureFormat.Write([signature]), batch.EndTimestamp);
    }

    /// <summary>Zips already encoded export.bin and export.sig bytes.</summary>
    /// <param name="modified">Time stamped on both entries; the export's end time keeps files reproducible.</param>
    public static byte[] Create(ReadOnlySpan<byte> exportBin, ReadOnlySpan<byte> exportSig, DateTimeOffset modified)
    {
        // Zip timestamps are DOS dates: 1980–2107.
        var stamp = modified.UtcDateTime;
        if (stamp.Year < 1980)
        {
            stamp = new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        }
        else if (stamp.Year > 2107)
        {
            stamp = new DateTime(2107, 12, 31, 0, 0, 0, DateTimeKind.Utc);
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddEntry(zip, BinEntryName, exportBin, stamp);
            AddEntry(zip, SigEntryName, exportSig, stamp);
        }

        return buffer.ToArray();
    }

    /// <summary>Whether <paramref name="data"/> starts like a zip (local file header or empty-archive record).</summary>
    public static bool LooksLikeZip(ReadOnlySpan<byte> data) => data.StartsWith("PK"u8);

    /// <summary>Reads a zip or a bare export.bin.</summary>
    /// <exception cref="ExportFormatException">Malformed zip, unexpected or missing entries, an entry over the size cap, or a malformed export.bin / export.sig.</exception>
    public static SignedExport Read(ReadOnlySpan<byte> data, int maxEntryBytes = DefaultMaxEntryBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntryBytes);
        if (ExportBinFormat.HasHeader(data))
        {
            if (data.Length > maxEntryBytes)
            {
                throw new ExportFormatException($"export.bin: {data.Length} bytes exceed the limit of {maxEntryBytes}");
            }

            var bin = data.ToArray();
            return new SignedExport(bin, ExportBinFormat.Read(bin), [], fromArchive: false);
        }

        if (!LooksLikeZip(data))
        {
            throw new ExportFormatException("export: neither a zip nor an export.bin (no \"PK\" or \"EK Export v1\" at the start)");
        }

        var (binBytes, sigBytes) = ReadEntries(data.ToArray(), maxEntryBytes);
        var batch = ExportBinFormat.Read(binBytes);
        var signatures = ExportSignatureFormat.Read(sigBytes);
        return new SignedExport(binBytes, batch, signatures, fromArchive: true);
    }

    /// <summary>Reads a zip or a bare export.bin from a stream, reading no more than the two entries' caps allow.</summary>
    public static SignedExport Read(Stream source, int maxEntryBytes = DefaultMaxEntryBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntryBytes);

        // Two entries plus zip headers; compressed data is never larger than the uncompressed cap by much.
        var limit = 2L * maxEntryBytes + 64 * 1024;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ExportFormatException($"export: more than {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), maxEntryBytes);
    }

    private static void AddEntry(ZipArchive zip, string name, ReadOnlySpan<byte> content, DateTime stamp)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(stamp, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static (byte[] Bin, byte[] Sig) ReadEntries(byte[] zipBytes, int maxEntryBytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes, writable: false), ZipArchiveMode.Read);
            byte[]? bin = null, sig = null;
            foreach (var entry in zip.Entries)
            {
                switch (entry.FullName)
                {
                    case BinEntryName when bin is null:
                        bin = ReadEntry(entry, maxEntryBytes);
                        break;
                    case SigEntryName when sig is null:
                        sig = ReadEntry(entry, maxEntryBytes);
                        break;
                    case BinEntryName or SigEntryName:
                        throw new ExportFormatException($"export zip: {entry.FullName} appears twice");
                    default:
                        throw new ExportFormatException($"export zip: unexpected entry \"{Printable(entry.FullName)}\" (only {BinEntryName} and {SigEntryName} are allowed)");
                }
            }

            if (bin is null || sig is null)
            {
                throw new ExportFormatException($"export zip: missing {(bin is null ? BinEntryName : SigEntryName)}");
            }

            return (bin, sig);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            // The zip reader reports corrupt archives with several exception types; callers see one.
            throw new ExportFormatException($"export zip: not a readable zip archive ({e.Message})", e);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, int maxEntryBytes)
    {
        // The declared size is checked first, then enforced while inflating: a forged header must not let a
        // small file expand without bound.
        if (entry.Length > maxEntryBytes)
        {
            throw new ExportFormatException($"export zip: {entry.FullName} declares {entry.Length} bytes, over the limit of {maxEntryBytes}");
        }

        using var stream = entry.Open();
        using var content = new MemoryStream((int)Math.Max(0, entry.Length));
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (content.Length + read > maxEntryBytes)
            {
                throw new ExportFormatException($"export zip: {entry.FullName} inflates beyond the limit of {maxEntryBytes} bytes");
            }

            content.Write(chunk, 0, read);
        }

        return content.ToArray();
    }

    private static string Printable(string name)
    {
        var shortened = name.Length > 64 ? name[..64] + "…" : name;
        return string.Concat(shortened.Select(c => char.IsControl(c) ? '?' : c));
    }
}

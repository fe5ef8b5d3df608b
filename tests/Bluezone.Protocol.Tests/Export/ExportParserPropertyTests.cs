using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using CsCheck;

namespace Bluezone.Protocol.Tests.Export;

/// <summary>
/// Every parser of outside bytes either succeeds or throws <see cref="ProtocolFormatException"/>: no index,
/// protobuf, zip or overflow exception ever escapes, whatever the input.
/// </summary>
public sealed class ExportParserPropertyTests
{
    private const int Iterations = 3000;

    // One key for the whole class (declared first: static fields initialise in order), so mutated zips are
    // checked against the key that signed the original.
    private static readonly string SigningKeyPem = CreateKeyPem();

    private static readonly byte[] ValidBin = ExportBinFormat.Write(ExportSamples.Batch(4));

    private static readonly byte[] ValidSig = SignValid();

    private static readonly byte[] ValidZip = ExportArchive.Create(ValidBin, ValidSig, DateTimeOffset.UnixEpoch);

    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 300];

    /// <summary>Random bytes after a correct header, so the protobuf decoder and the field checks get exercised.</summary>
    private static readonly Gen<byte[]> HeaderThenRandom = RandomBytes.Select(tail => ExportBinFormat.Header.ToArray().Concat(tail).ToArray());

    [Fact]
    public void Random_bytes_into_export_bin_give_only_format_errors() =>
        RandomBytes.Sample(bytes => OnlyFormatErrors(() => ExportBinFormat.Read(bytes)), iter: Iterations);

    [Fact]
    public void Random_protobuf_after_a_valid_header_gives_only_format_errors() =>
        HeaderThenRandom.Sample(bytes => OnlyFormatErrors(() => ExportBinFormat.Read(bytes)), iter: Iterations);

    [Fact]
    public void Random_bytes_into_export_sig_give_only_format_errors() =>
        RandomBytes.Sample(bytes => OnlyFormatErrors(() => ExportSignatureFormat.Read(bytes)), iter: Iterations);

    [Fact]
    public void Random_bytes_into_the_archive_reader_give_only_format_errors() =>
        Gen.OneOf(RandomBytes, HeaderThenRandom, RandomBytes.Select(b => "PK\x03\x04"u8.ToArray().Concat(b).ToArray()))
            .Sample(bytes => OnlyFormatErrors(() => ExportArchive.Read(bytes)), iter: Iterations);

    [Fact]
    public void Mutations_of_a_valid_export_bin_give_only_format_errors() =>
        Mutations(ValidBin).Sample(bytes => OnlyFormatErrors(() => ExportBinFormat.Read(bytes)), iter: Iterations);

    [Fact]
    public void Mutations_of_a_valid_export_sig_give_only_format_errors() =>
        Mutations(ValidSig).Sample(bytes => OnlyFormatErrors(() => ExportSignatureFormat.Read(bytes)), iter: Iterations);

    [Fact]
    public void Mutations_of_a_valid_zip_give_only_format_errors_and_never_a_valid_signature_over_changed_content()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(SigningKeyPem);
        Mutations(ValidZip).Sample(
            bytes =>
            {
                SignedExport? export = null;
                OnlyFormatErrors(() => export = ExportArchive.Read(bytes));
                if (export is not null && export.Verify(key))
                {
                    Assert.Equal(ValidBin, export.ExportBin.ToArray());
                }
            },
            iter: Iterations);
    }

    /// <summary>One to four byte changes, truncations or insertions of a valid file.</summary>
    private static Gen<byte[]> Mutations(byte[] valid)
    {
        var overwrite = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, (at, value) => (Func<byte[], byte[]>)(b =>
        {
            var copy = (byte[])b.Clone();
            copy[at % copy.Length] = value;
            return copy;
        }));
        var truncate = Gen.Int[0, valid.Length - 1].Select(length => (Func<byte[], byte[]>)(b => b[..Math.Min(length, b.Length)]));
        var insert = Gen.Select(Gen.Int[0, valid.Length], Gen.Byte.Array[1, 8], (at, extra) => (Func<byte[], byte[]>)(b =>
        {
            var position = Math.Min(at, b.Length);
            return [.. b[..position], .. extra, .. b[position..]];
        }));
        return Gen.Frequency((6, overwrite), (1, truncate), (2, insert)).Array[1, 4]
            .Select(steps => steps.Aggregate(valid, (bytes, step) => bytes.Length == 0 ? bytes : step(bytes)));
    }

    private static void OnlyFormatErrors(Action parse)
    {
        try
        {
            parse();
        }
        catch (ProtocolFormatException)
        {
        }
    }

    private static byte[] SignValid()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(SigningKeyPem);
        return ExportSignatureFormat.Write([ExportSignature.Sign(ValidBin, key, ExportSamples.Info, 1, 1)]);
    }

    private static string CreateKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }
}

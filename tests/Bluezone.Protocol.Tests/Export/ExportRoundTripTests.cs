using System.Security.Cryptography;
using Bluezone.Protocol.Export;

namespace Bluezone.Protocol.Tests.Export;

public sealed class ExportRoundTripTests
{
    [Fact]
    public void A_written_batch_reads_back_with_the_same_keys_sorted_by_key_bytes()
    {
        var batch = ExportSamples.Batch(300);

        var read = ExportBinFormat.Read(ExportBinFormat.Write(batch));

        Assert.Equal("VN", read.Region);
        Assert.Equal(batch.StartTimestamp, read.StartTimestamp);
        Assert.Equal(batch.EndTimestamp, read.EndTimestamp);
        Assert.Equal([ExportSamples.Info], read.SignatureInfos);
        var expected = batch.Keys.OrderBy(k => Hex.Format(k.Key.KeyData), StringComparer.Ordinal).ToList();
        Assert.Equal(expected, read.Keys);
        Assert.NotEqual(batch.Keys, read.Keys); // the input was not already sorted, so sorting did happen
    }

    [Fact]
    public void Writing_to_a_buffer_writer_gives_the_same_bytes()
    {
        var batch = ExportSamples.Batch(40);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        ExportBinFormat.Write(batch, buffer);

        Assert.Equal(ExportBinFormat.Write(batch), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Covering_spans_from_the_earliest_start_to_the_latest_expiry()
    {
        var keys = ExportSamples.RandomKeys(20, 3);

        var batch = ExportBatch.Covering("VN", keys, [ExportSamples.Info]);

        Assert.Equal(keys.Min(k => k.Key.RollingStartIntervalNumber).StartTime, batch.StartTimestamp);
        Assert.Equal(keys.Max(k => k.Key.ExpiryIntervalNumber).StartTime, batch.EndTimestamp);
    }

    [Fact]
    public void Revised_keys_and_transmission_risk_survive_a_round_trip()
    {
        var keys = ExportSamples.RandomKeys(3, 4);
        var revised = new ExportedKey(keys[0].Key, ReportType.Revoked, -3, 6);
        var batch = new ExportBatch("VN", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_700_086_400), 2, 3, [], keys, [revised]);

        var read = ExportBinFormat.Read(ExportBinFormat.Write(batch));

        Assert.Equal([revised], read.RevisedKeys);
        Assert.Equal(2, read.BatchNum);
        Assert.Equal(3, read.BatchSize);
        Assert.Empty(read.SignatureInfos);
    }

    [Fact]
    public void A_zip_signed_with_a_key_verifies_with_its_public_key_only()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var publicOnly = ECDsa.Create();
        publicOnly.ImportSubjectPublicKeyInfo(signing.ExportSubjectPublicKeyInfo(), out _);
        var batch = ExportSamples.Batch(50);

        var export = ExportArchive.Read(ExportArchive.Create(batch, signing));

        Assert.True(export.FromArchive);
        Assert.Equal(ExportBinFormat.Write(batch), export.ExportBin.ToArray());
        var signature = Assert.Single(export.Signatures);
        Assert.Equal(ExportSamples.Info, signature.Info);
        Assert.Equal(ExportSignatureInfo.EcdsaP256Sha256, signature.Info.SignatureAlgorithm);
        Assert.True(export.Verify(publicOnly));
        Assert.False(export.Verify(other));
    }

    [Fact]
    public void Changing_any_single_byte_of_export_bin_breaks_the_signature()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bin = ExportBinFormat.Write(ExportSamples.Batch(5));
        var signature = ExportSignature.Sign(bin, signing, ExportSamples.Info, 1, 1);
        Assert.True(signature.Verify(bin, signing));

        for (var i = 0; i < bin.Length; i++)
        {
            var tampered = (byte[])bin.Clone();
            tampered[i] ^= 0x01;
            Assert.False(signature.Verify(tampered, signing), $"flipping byte {i} kept the signature valid");
        }
    }

    [Fact]
    public void A_signature_over_another_batch_number_does_not_count()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bin = ExportBinFormat.Write(ExportSamples.Batch(5));
        var sig = ExportSignatureFormat.Write([ExportSignature.Sign(bin, signing, ExportSamples.Info, 2, 2)]);

        var export = ExportArchive.Read(ExportArchive.Create(bin, sig, DateTimeOffset.UnixEpoch));

        Assert.False(export.Verify(signing));
    }

    [Fact]
    public void A_bare_export_bin_reads_but_never_verifies()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bin = ExportBinFormat.Write(ExportSamples.Batch(5));

        var export = ExportArchive.Read(bin);

        Assert.False(export.FromArchive);
        Assert.Empty(export.Signatures);
        Assert.Equal(5, export.Batch.Keys.Count);
        Assert.False(export.Verify(signing));
    }

    [Fact]
    public void Reading_from_a_stream_matches_reading_bytes()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var zip = ExportArchive.Create(ExportSamples.Batch(5), signing);

        var export = ExportArchive.Read(new MemoryStream(zip));

        Assert.True(export.Verify(signing));
    }

    [Fact]
    public void The_zip_holds_exactly_export_bin_and_export_sig()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var zip = ExportArchive.Create(ExportSamples.Batch(5), signing);

        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));

        Assert.Equal(["export.bin", "export.sig"], archive.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void A_signature_with_a_foreign_algorithm_does_not_verify()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bin = ExportBinFormat.Write(ExportSamples.Batch(2));
        var good = ExportSignature.Sign(bin, signing, ExportSamples.Info, 1, 1);
        var foreign = new ExportSignature(ExportSamples.Info with { SignatureAlgorithm = "1.2.840.10045.4.3.3" }, 1, 1, good.Signature);

        Assert.False(foreign.Verify(bin, signing));
    }
}

using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Export.Wire;
using Google.Protobuf;

namespace Bluezone.Protocol.Tests.Export;

/// <summary>Each way an export can be malformed ends in an <see cref="ExportFormatException"/> that says what is wrong.</summary>
public sealed class ExportFormatStrictnessTests
{
    private static TemporaryExposureKeyExport ValidWire() => ExportBinFormat.ParseWire(ExportBinFormat.Write(ExportSamples.Batch(3)));

    private static string ReadError(TemporaryExposureKeyExport wire) =>
        Assert.Throws<ExportFormatException>(() => ExportBinFormat.Read(ExportBinFormat.WriteWire(wire))).Message;

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(15)]
    public void A_file_shorter_than_the_header_is_rejected(int length)
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportBinFormat.Read(ExportBinFormat.Header[..Math.Min(length, 16)].ToArray()));
        Assert.Contains("shorter than the 16-byte header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_header_is_rejected()
    {
        var bytes = ExportBinFormat.Write(ExportSamples.Batch(1));
        bytes[11] = (byte)'2'; // "EK Export v2"

        var error = Assert.Throws<ExportFormatException>(() => ExportBinFormat.Read(bytes));
        Assert.Contains("header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_protobuf_is_rejected()
    {
        var bytes = ExportBinFormat.Write(ExportSamples.Batch(3));

        var error = Assert.Throws<ExportFormatException>(() => ExportBinFormat.Read(bytes.AsSpan(0, bytes.Length - 5)));
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_alone_lacks_the_required_fields()
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportBinFormat.Read(ExportBinFormat.Header));
        Assert.Contains("start_timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_region_is_rejected()
    {
        var wire = ValidWire();
        wire.ClearRegion();
        Assert.Contains("region", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_batch_number_is_rejected()
    {
        var wire = ValidWire();
        wire.ClearBatchNum();
        Assert.Contains("batch_num", ReadError(wire), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, 3)]
    public void An_impossible_batch_number_is_rejected(int num, int size)
    {
        var wire = ValidWire();
        wire.BatchNum = num;
        wire.BatchSize = size;
        Assert.Contains($"batch {num} of {size}", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void An_end_before_the_start_is_rejected()
    {
        var wire = ValidWire();
        wire.EndTimestamp = wire.StartTimestamp - 1;
        Assert.Contains("before start_timestamp", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_beyond_year_9999_is_rejected()
    {
        var wire = ValidWire();
        wire.EndTimestamp = ulong.MaxValue;
        Assert.Contains("year 9999", ReadError(wire), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    public void Key_data_of_the_wrong_length_is_rejected_naming_the_key(int length)
    {
        var wire = ValidWire();
        wire.Keys[2].KeyData = ByteString.CopyFrom(new byte[length]);
        var error = ReadError(wire);
        Assert.Contains("keys[2]", error, StringComparison.Ordinal);
        Assert.Contains($"got {length}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_key_data_is_rejected()
    {
        var wire = ValidWire();
        wire.Keys[0].ClearKeyData();
        Assert.Contains("keys[0]: key_data", ReadError(wire), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(145)]
    public void A_rolling_period_outside_1_to_144_is_rejected(int period)
    {
        var wire = ValidWire();
        wire.Keys[1].RollingPeriod = period;
        Assert.Contains($"rolling_period must be 1–144, not {period}", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void An_absent_rolling_period_means_a_full_day()
    {
        var wire = ValidWire();
        wire.Keys[1].ClearRollingPeriod();

        var batch = ExportBinFormat.Read(ExportBinFormat.WriteWire(wire));

        Assert.Equal(144, batch.Keys[1].Key.RollingPeriod);
    }

    [Fact]
    public void A_missing_rolling_start_is_rejected()
    {
        var wire = ValidWire();
        wire.Keys[0].ClearRollingStartIntervalNumber();
        Assert.Contains("rolling_start_interval_number", ReadError(wire), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void A_rolling_start_outside_the_representable_range_is_rejected(int start)
    {
        var wire = ValidWire();
        wire.Keys[0].RollingStartIntervalNumber = start;
        Assert.Contains($"rolling_start_interval_number must be 0–{ExportBinFormat.MaxRollingStartIntervalNumber}, not {start}", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void The_latest_accepted_rolling_start_gives_a_key_whose_expiry_time_is_representable()
    {
        var wire = ValidWire();
        wire.Keys[0].RollingStartIntervalNumber = ExportBinFormat.MaxRollingStartIntervalNumber;

        var key = ExportBinFormat.Read(ExportBinFormat.WriteWire(wire)).Keys[0].Key;

        Assert.Equal(9999, key.ExpiryIntervalNumber.StartTime.Year);
    }

    [Fact]
    public void An_undefined_report_type_is_rejected()
    {
        var wire = ValidWire();
        wire.Keys[0].ReportType = (Bluezone.Protocol.Export.Wire.TemporaryExposureKey.Types.ReportType)9;
        Assert.Contains("report_type 9", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void A_recursive_report_type_is_read()
    {
        var wire = ValidWire();
        wire.Keys[0].ReportType = Bluezone.Protocol.Export.Wire.TemporaryExposureKey.Types.ReportType.Recursive;

        Assert.Equal(ReportType.Recursive, ExportBinFormat.Read(ExportBinFormat.WriteWire(wire)).Keys[0].ReportType);
    }

    [Fact]
    public void A_transmission_risk_outside_0_to_8_is_rejected()
    {
        var wire = ValidWire();
#pragma warning disable CS0612
        wire.Keys[0].TransmissionRiskLevel = 9;
#pragma warning restore CS0612
        Assert.Contains("transmission_risk_level", ReadError(wire), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_tolerated_for_forward_compatibility()
    {
        var bytes = ExportBinFormat.Write(ExportSamples.Batch(2));
        // Field 15, varint 1: a field a later version of the format might add.
        var extended = bytes.Concat(new byte[] { 15 << 3, 1 }).ToArray();

        Assert.Equal(2, ExportBinFormat.Read(extended).Keys.Count);
    }

    [Fact]
    public void An_empty_signature_list_is_rejected()
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportSignatureFormat.Read([]));
        Assert.Contains("no signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_entry_without_signature_bytes_is_rejected()
    {
        var list = new TEKSignatureList { Signatures = { new TEKSignature { SignatureInfo = new SignatureInfo(), BatchNum = 1, BatchSize = 1 } } };

        var error = Assert.Throws<ExportFormatException>(() => ExportSignatureFormat.Read(list.ToByteArray()));
        Assert.Contains("signatures[0]: signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_entry_without_signature_info_is_rejected()
    {
        var list = new TEKSignatureList { Signatures = { new TEKSignature { BatchNum = 1, BatchSize = 1, Signature = ByteString.CopyFrom(1, 2, 3) } } };

        var error = Assert.Throws<ExportFormatException>(() => ExportSignatureFormat.Read(list.ToByteArray()));
        Assert.Contains("signature_info", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_neither_zip_nor_export_bin_are_rejected()
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(Encoding.ASCII.GetBytes("hello, world")));
        Assert.Contains("neither a zip nor an export.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_with_an_extra_entry_is_rejected()
    {
        var zip = Zip(("export.bin", Bin()), ("export.sig", Sig()), ("readme.txt", [1]));

        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(zip));
        Assert.Contains("unexpected entry \"readme.txt\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_without_export_sig_is_rejected()
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(Zip(("export.bin", Bin()))));
        Assert.Contains("missing export.sig", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_with_export_bin_twice_is_rejected()
    {
        var zip = Zip(("export.bin", Bin()), ("export.bin", Bin()), ("export.sig", Sig()));

        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(zip));
        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_inflating_beyond_the_cap_is_rejected_without_reading_it_all()
    {
        // 1 MiB of zeros compresses to about 1 kB: a small zip bomb against a 64 kB cap.
        var bomb = new byte[1024 * 1024];
        var zip = Zip(("export.bin", bomb), ("export.sig", Sig()));
        Assert.True(zip.Length < 16 * 1024);

        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(zip, maxEntryBytes: 64 * 1024));
        Assert.Contains("limit of 65536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_declaring_a_small_size_but_inflating_beyond_the_cap_is_rejected()
    {
        var zip = Zip(("export.bin", new byte[1024 * 1024]), ("export.sig", Sig()));
        ForgeUncompressedSize(zip, "export.bin", 100);

        Assert.Throws<ExportFormatException>(() => ExportArchive.Read(zip, maxEntryBytes: 64 * 1024));
    }

    [Fact]
    public void A_zip_whose_entry_is_not_an_export_bin_is_rejected()
    {
        var error = Assert.Throws<ExportFormatException>(() => ExportArchive.Read(Zip(("export.bin", [1, 2, 3]), ("export.sig", Sig()))));
        Assert.Contains("export.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_zip_is_rejected()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var zip = ExportArchive.Create(ExportSamples.Batch(5), signing);

        Assert.Throws<ExportFormatException>(() => ExportArchive.Read(zip.AsSpan(0, zip.Length / 2)));
    }

    /// <summary>Rewrites the uncompressed size in the local and central headers of the entry called <paramref name="name"/>.</summary>
    private static void ForgeUncompressedSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        var forged = 0;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var local = zip.AsSpan(i).StartsWith("PK\x03\x04"u8) && zip.AsSpan(i + 30).StartsWith(nameBytes);
            var central = zip.AsSpan(i).StartsWith("PK\x01\x02"u8) && zip.AsSpan(i + 46).StartsWith(nameBytes);
            if (local || central)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + (local ? 22 : 24)), size);
                forged++;
            }
        }

        Assert.Equal(2, forged);
    }

    private static byte[] Bin() => ExportBinFormat.Write(ExportSamples.Batch(2));

    private static byte[] Sig()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ExportSignatureFormat.Write([ExportSignature.Sign(Bin(), signing, ExportSamples.Info, 1, 1)]);
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }
}

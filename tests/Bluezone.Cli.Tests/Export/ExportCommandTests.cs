using System.IO.Compression;
using System.Text.Json;
using Bluezone.Protocol.Export;
using Bluezone.Tests;

namespace Bluezone.Cli.Tests.Export;

/// <summary>Drives <c>bluezone export build</c> and <c>inspect</c> in-process against real files in a temporary directory.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private const string KeysJson = """
        [
          {"key":"ff0102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":2950416,"rollingPeriod":144,"reportType":1,"daysSinceOnsetOfSymptoms":-2},
          {"key":"000102030405060708090A0B0C0D0E0F","rollingStartIntervalNumber":2950560,"rollingPeriod":60,"reportType":4},
          {"key":"7f0102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":2950272,"rollingPeriod":144}
        ]
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("bluezone-export-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>Creates a signing key with the real verb; returns (private, public) paths.</summary>
    private (string Private, string Public) SigningKey(string name)
    {
        var (code, _, err) = Run("keys", "signing-key", "--out", PathOf(name + ".pem"));
        Assert.True(code == 0, err);
        return (PathOf(name + ".pem"), PathOf(name + ".pub.pem"));
    }

    private string Build(string signingKey, string keysJson = KeysJson, params string[] extra)
    {
        File.WriteAllText(PathOf("keys.json"), keysJson);
        var zip = PathOf("export.zip");
        var (code, _, err) = Run(["export", "build", "--keys", PathOf("keys.json"), "--signing-key", signingKey, "--out", zip, .. extra]);
        Assert.True(code == 0, err);
        return zip;
    }

    private static void AssertOneErrorLine(int code, string output, string error, string expectedFragment)
    {
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("bluezone: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expectedFragment, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_then_inspect_with_the_right_key_prints_the_export_as_json_and_exits_0()
    {
        var (privateKey, publicKey) = SigningKey("authority");
        var zip = Build(privateKey, KeysJson, "--key-id", "452", "--key-version", "v7");

        var (code, output, error) = Run("export", "inspect", zip, "--json", "--public-key", publicKey);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("VN", root.GetProperty("region").GetString());
        Assert.Equal(2950272L * 600, root.GetProperty("startTimestamp").GetInt64()); // earliest start
        Assert.Equal((2950560L + 60) * 600, root.GetProperty("endTimestamp").GetInt64()); // latest expiry
        Assert.Equal(1, root.GetProperty("batchNum").GetInt32());
        Assert.Equal(1, root.GetProperty("batchSize").GetInt32());
        Assert.Equal(3, root.GetProperty("keyCount").GetInt32());
        Assert.True(root.GetProperty("signatureValid").GetBoolean());

        var keys = root.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(
            ["000102030405060708090a0b0c0d0e0f", "7f0102030405060708090a0b0c0d0e0f", "ff0102030405060708090a0b0c0d0e0f"],
            keys.Select(k => k.GetProperty("key").GetString()));
        Assert.Equal(2950560, keys[0].GetProperty("rollingStartIntervalNumber").GetInt32());
        Assert.Equal(60, keys[0].GetProperty("rollingPeriod").GetInt32());
        Assert.Equal(4, keys[0].GetProperty("reportType").GetInt32());
        Assert.Equal(JsonValueKind.Null, keys[0].GetProperty("daysSinceOnsetOfSymptoms").ValueKind);
        Assert.Equal(0, keys[1].GetProperty("reportType").GetInt32());
        Assert.Equal(-2, keys[2].GetProperty("daysSinceOnsetOfSymptoms").GetInt32());

        var info = Assert.Single(root.GetProperty("signatureInfos").EnumerateArray().ToList());
        Assert.Equal("452", info.GetProperty("verificationKeyId").GetString());
        Assert.Equal("v7", info.GetProperty("verificationKeyVersion").GetString());
        Assert.Equal("1.2.840.10045.4.3.2", info.GetProperty("signatureAlgorithm").GetString());
    }

    [Fact]
    public void Inspect_with_another_key_reports_an_invalid_signature_and_exits_1()
    {
        var (privateKey, _) = SigningKey("authority");
        var (_, otherPublic) = SigningKey("impostor");
        var zip = Build(privateKey);

        var (code, output, _) = Run("export", "inspect", zip, "--json", "--public-key", otherPublic);

        Assert.Equal(1, code);
        Assert.False(JsonDocument.Parse(output).RootElement.GetProperty("signatureValid").GetBoolean());
    }

    [Fact]
    public void Inspect_without_a_key_parses_and_leaves_the_signature_unchecked()
    {
        var (privateKey, _) = SigningKey("authority");
        var zip = Build(privateKey, KeysJson, "--region", "US");

        var (code, output, _) = Run("export", "inspect", zip, "--json");

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("US", root.GetProperty("region").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signatureValid").ValueKind);
    }

    [Fact]
    public void Inspect_prints_a_text_summary_with_counts_per_report_type()
    {
        var (privateKey, publicKey) = SigningKey("authority");
        var zip = Build(privateKey);

        var (code, output, _) = Run("export", "inspect", zip, "--public-key", publicKey);

        Assert.Equal(0, code);
        Assert.Contains("region:       VN", output, StringComparison.Ordinal);
        Assert.Contains($"start:        {2950272L * 600} (2026-02-04T00:00:00Z)", output, StringComparison.Ordinal);
        Assert.Contains("batch:        1 of 1", output, StringComparison.Ordinal);
        Assert.Contains("keys:         3", output, StringComparison.Ordinal);
        Assert.Matches(@"recursive:\s+1", output);
        Assert.Matches(@"confirmedTest:\s+1", output);
        Assert.Contains("signature:    valid", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shared_sample_export_bin_inspects_as_200_us_keys_and_cannot_verify()
    {
        var (_, publicKey) = SigningKey("authority");
        var sample = SharedData.PathOf("gaen/sample-export.bin");

        var (plainCode, plain, _) = Run("export", "inspect", sample, "--json");
        var (code, output, _) = Run("export", "inspect", sample, "--json", "--public-key", publicKey);

        Assert.Equal(0, plainCode);
        Assert.Equal(200, JsonDocument.Parse(plain).RootElement.GetProperty("keyCount").GetInt32());
        Assert.Equal(1, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("US", root.GetProperty("region").GetString());
        Assert.Equal(1588425586, root.GetProperty("startTimestamp").GetInt64());
        Assert.Equal(1588857586, root.GetProperty("endTimestamp").GetInt64());
        Assert.False(root.GetProperty("signatureValid").GetBoolean());
    }

    [Theory]
    [InlineData("""[{"key":"00","rollingStartIntervalNumber":1,"rollingPeriod":1}]""", "entry 0: key")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":1,"rollingPeriod":1},{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":1,"rollingPeriod":145}]""", "entry 1: rollingPeriod must be 1–144")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingPeriod":1}]""", "entry 0: rollingStartIntervalNumber is required")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":2147483647,"rollingPeriod":1}]""", "entry 0: rollingStartIntervalNumber must be 0–")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":1,"rollingPeriod":1,"reportType":6}]""", "entry 0: reportType")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":1,"rollingPeriod":"x"}]""", "entry 0: rollingPeriod must be a whole number")]
    [InlineData("""[{"key":"000102030405060708090a0b0c0d0e0f","rollingStartIntervalNumber":1,"rollingPeriod":1,"rollingperiod":1}]""", "entry 0: unknown property \"rollingperiod\"")]
    [InlineData("""{"keys":[]}""", "expected a JSON array")]
    [InlineData("""[]""", "non-empty")]
    [InlineData("""[{""", "not valid JSON")]
    public void Build_with_a_malformed_keys_file_exits_2_with_one_line_and_writes_nothing(string keysJson, string expected)
    {
        var (privateKey, _) = SigningKey("authority");
        File.WriteAllText(PathOf("keys.json"), keysJson);

        var (code, output, error) = Run("export", "build", "--keys", PathOf("keys.json"), "--signing-key", privateKey, "--out", PathOf("out.zip"));

        AssertOneErrorLine(code, output, error, expected);
        Assert.False(File.Exists(PathOf("out.zip")));
    }

    [Fact]
    public void Build_with_a_public_key_as_signing_key_exits_2()
    {
        var (_, publicKey) = SigningKey("authority");
        File.WriteAllText(PathOf("keys.json"), KeysJson);

        var (code, output, error) = Run("export", "build", "--keys", PathOf("keys.json"), "--signing-key", publicKey, "--out", PathOf("out.zip"));

        AssertOneErrorLine(code, output, error, "public key only");
        Assert.False(File.Exists(PathOf("out.zip")));
    }

    [Fact]
    public void Build_with_a_missing_keys_file_exits_2()
    {
        var (privateKey, _) = SigningKey("authority");

        var (code, output, error) = Run("export", "build", "--keys", PathOf("absent.json"), "--signing-key", privateKey, "--out", PathOf("out.zip"));

        AssertOneErrorLine(code, output, error, "absent.json");
    }

    [Fact]
    public void Inspect_of_a_missing_file_exits_2()
    {
        var (code, output, error) = Run("export", "inspect", PathOf("absent.zip"));

        AssertOneErrorLine(code, output, error, "absent.zip");
    }

    [Fact]
    public void Inspect_of_garbage_exits_2()
    {
        File.WriteAllText(PathOf("garbage.zip"), "this is not an export");

        var (code, output, error) = Run("export", "inspect", PathOf("garbage.zip"), "--json");

        AssertOneErrorLine(code, output, error, "neither a zip nor an export.bin");
    }

    [Fact]
    public void Inspect_of_a_zip_with_a_corrupted_export_bin_exits_2()
    {
        var (privateKey, _) = SigningKey("authority");
        var zip = Build(privateKey);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
        {
            archive.GetEntry("export.bin")!.Delete();
            using var stream = archive.CreateEntry("export.bin").Open();
            stream.Write("EK Export v1    \xff\xff"u8);
        }

        var (code, output, error) = Run("export", "inspect", zip);

        AssertOneErrorLine(code, output, error, "export.bin");
    }

    [Fact]
    public void Openssl_accepts_our_signature_and_we_accept_openssl_s()
    {
        var (privateKey, publicKey) = SigningKey("authority");
        var export = ExportArchive.Read(File.ReadAllBytes(Build(privateKey)));
        File.WriteAllBytes(PathOf("export.bin"), export.ExportBin.ToArray());
        File.WriteAllBytes(PathOf("ours.der"), export.Signatures[0].Signature.ToArray());

        var (verified, verifyOutput) = OpenSsl.Check("dgst", "-sha256", "-verify", publicKey, "-signature", PathOf("ours.der"), PathOf("export.bin"));
        Assert.True(verified, verifyOutput);
        Assert.Contains("Verified OK", verifyOutput, StringComparison.Ordinal);

        var tampered = export.ExportBin.ToArray();
        tampered[^1] ^= 1;
        File.WriteAllBytes(PathOf("tampered.bin"), tampered);
        Assert.False(OpenSsl.Check("dgst", "-sha256", "-verify", publicKey, "-signature", PathOf("ours.der"), PathOf("tampered.bin")).Success);

        var (signed, signOutput) = OpenSsl.Check("dgst", "-sha256", "-sign", privateKey, "-out", PathOf("theirs.der"), PathOf("export.bin"));
        Assert.True(signed, signOutput);
        var theirs = new ExportSignature(export.Signatures[0].Info, 1, 1, File.ReadAllBytes(PathOf("theirs.der")));
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(publicKey));
        Assert.True(theirs.Verify(export.ExportBin, key));
    }
}

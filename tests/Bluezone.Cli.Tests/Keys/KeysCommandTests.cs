using System.Security.Cryptography;
using System.Text.Json;
using Bluezone.Tests;

namespace Bluezone.Cli.Tests.Keys;

public sealed class KeysCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bluezone-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Derive_prints_every_vector_interval_of_the_specification()
    {
        using var vectors = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("gaen/test-vectors.json")));
        var root = vectors.RootElement;
        var run = CliRun.Of("keys", "derive", "--tek", root.GetProperty("tek").GetString()!,
            "--interval", root.GetProperty("rolling_start_interval_number").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(0, run.ExitCode);
        var expected = root.GetProperty("intervals").EnumerateArray()
            .Select(v => $"{v.GetProperty("interval").GetInt32()} {v.GetProperty("rpi").GetString()} {v.GetProperty("aem").GetString()}");
        Assert.Equal(expected, run.OutputLines);
    }

    [Fact]
    public void Derive_honours_count_and_metadata()
    {
        var run = CliRun.Of("keys", "derive", "--tek", "75C734C6DD1A782DE7A965DA5EB93125", "--interval", "2642980", "--count", "2", "--metadata", "40080000");
        Assert.Equal(["2642980 b3b85a69ebaec78db739852d1f34e0fa 5668c474", "2642981 298abd6fdad29efbf0f85a63956cf188 f7b97e84"], run.OutputLines);
    }

    [Theory]
    [InlineData("--tek", "75c734")]
    [InlineData("--tek", "zz c734c6dd1a782de7a965da5eb931")]
    [InlineData("--metadata", "4008")]
    [InlineData("--count", "0")]
    [InlineData("--interval", "soon")]
    public void Bad_input_is_one_line_on_stderr_and_exit_code_2(string option, string value)
    {
        var args = new Dictionary<string, string>
        {
            ["--tek"] = "75c734c6dd1a782de7a965da5eb93125",
            ["--interval"] = "2642976",
            [option] = value,
        };
        var run = CliRun.Of(["keys", "derive", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void Signing_key_writes_a_p256_key_pair_that_signs_and_verifies()
    {
        var privatePath = Path.Combine(_directory, "signing.pem");
        var run = CliRun.Of("keys", "signing-key", "--out", privatePath);
        Assert.Equal(0, run.ExitCode);

        using var privateKey = ECDsa.Create();
        privateKey.ImportFromPem(File.ReadAllText(privatePath));
        using var publicKey = ECDsa.Create();
        var publicPem = File.ReadAllText(Path.Combine(_directory, "signing.pub.pem"));
        Assert.DoesNotContain("PRIVATE", publicPem, StringComparison.Ordinal);
        publicKey.ImportFromPem(publicPem);

        Assert.Equal(256, privateKey.KeySize);
        var signature = privateKey.SignData("export.bin"u8, HashAlgorithmName.SHA256);
        Assert.True(publicKey.VerifyData("export.bin"u8, signature, HashAlgorithmName.SHA256));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        }
    }

    [Fact]
    public void Signing_key_refuses_to_overwrite_an_existing_key()
    {
        var privatePath = Path.Combine(_directory, "signing.pem");
        File.WriteAllText(privatePath, "keep me");
        var run = CliRun.Of("keys", "signing-key", "--out", privatePath);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keep me", File.ReadAllText(privatePath));
    }
}

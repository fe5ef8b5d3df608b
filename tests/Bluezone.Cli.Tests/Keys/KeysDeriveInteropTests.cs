using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Bluezone.Tests;

namespace Bluezone.Cli.Tests.Keys;

/// <summary>`keys derive` on random keys agrees with OpenSSL's HKDF and AES, an independent implementation.</summary>
public sealed class KeysDeriveInteropTests
{
    [Fact]
    public void Derived_identifiers_and_metadata_match_openssl_on_random_keys()
    {
        for (var k = 0; k < 4; k++)
        {
            var tek = RandomNumberGenerator.GetBytes(16);
            var interval = 2_900_000 + RandomNumberGenerator.GetInt32(144 * 365);
            var metadata = RandomNumberGenerator.GetBytes(4);
            var run = CliRun.Of("keys", "derive", "--tek", Convert.ToHexString(tek), "--interval", interval.ToString(CultureInfo.InvariantCulture),
                "--count", "3", "--metadata", Convert.ToHexString(metadata));
            Assert.Equal(0, run.ExitCode);

            var rpik = Hkdf(tek, "EN-RPIK");
            var aemk = Hkdf(tek, "EN-AEMK");
            for (var i = 0; i < 3; i++)
            {
                var padded = new byte[16];
                "EN-RPI"u8.CopyTo(padded);
                BinaryPrimitives.WriteInt32LittleEndian(padded.AsSpan(12), interval + i);
                var rpi = OpenSsl.Run(padded, "enc", "-aes-128-ecb", "-nopad", "-K", Convert.ToHexString(rpik));
                var aem = OpenSsl.Run(metadata, "enc", "-aes-128-ctr", "-K", Convert.ToHexString(aemk), "-iv", Convert.ToHexString(rpi));
                Assert.Equal($"{interval + i} {Convert.ToHexStringLower(rpi)} {Convert.ToHexStringLower(aem)}", run.OutputLines[i]);
            }
        }
    }

    private static byte[] Hkdf(byte[] tek, string info)
    {
        var text = System.Text.Encoding.ASCII.GetString(OpenSsl.Run([], "kdf", "-keylen", "16", "-kdfopt", "digest:SHA256",
            "-kdfopt", "hexkey:" + Convert.ToHexString(tek), "-kdfopt", "info:" + info, "HKDF"));
        return Convert.FromHexString(text.Trim().Replace(":", "", StringComparison.Ordinal));
    }
}

using System.CommandLine;
using System.Security.Cryptography;
using Bluezone.Protocol;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Exports;

namespace Bluezone.Cli.Keys;

/// <summary><c>bluezone keys …</c>: the key schedule and signing keys from the command line.</summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Derive identifiers from a temporary exposure key; create signing keys.")
    {
        CreateDerive(),
        CreateSigningKey(),
    };

    private static Command CreateDerive()
    {
        var tek = new Option<string>("--tek") { Description = "Temporary exposure key, 32 hex digits.", Required = true };
        var interval = new Option<int>("--interval") { Description = "First interval number (unix seconds / 600).", Required = true };
        var count = new Option<int>("--count") { Description = "Number of intervals.", DefaultValueFactory = _ => IntervalNumber.PerDay };
        var metadata = new Option<string>("--metadata") { Description = "Metadata plaintext, 8 hex digits.", DefaultValueFactory = _ => "40080000" };
        var command = new Command("derive", "Print INTERVAL RPI AEM for each interval, one line each.") { tek, interval, count, metadata };
        command.SetAction((parse, output) =>
        {
            var key = Hex.Parse(parse.GetValue(tek), "--tek", TemporaryExposureKey.Length);
            var plain = Hex.Parse(parse.GetValue(metadata), "--metadata", AdvertisementMetadata.Length);
            var n = parse.GetValue(count);
            if (n is < 1 or > 1_000_000)
            {
                throw new ArgumentException($"--count must be 1–1000000, not {n}");
            }

            var first = new IntervalNumber(parse.GetValue(interval));
            var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key);
            var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key);
            for (var i = 0; i < n; i++)
            {
                var current = first + i;
                var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, current);
                var aem = KeySchedule.EncryptMetadata(aemk, rpi, plain);
                output.WriteLine($"{current} {rpi} {aem}");
            }

            CryptographicOperations.ZeroMemory(rpik);
            CryptographicOperations.ZeroMemory(aemk);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateSigningKey()
    {
        var outFile = new Option<FileInfo>("--out") { Description = "Where to write the private key (PEM); the public key goes beside it as NAME.pub.pem.", Required = true };
        var command = new Command("signing-key", "Create a new ECDSA P-256 key for signing export files.") { outFile };
        command.SetAction((parse, output) =>
        {
            var file = parse.GetRequiredValue(outFile);
            var publicFile = SigningKeyFile.PublicKeyPathFor(file.FullName);
            if (File.Exists(file.FullName))
            {
                throw new IOException($"{file.FullName} already exists; refusing to overwrite a signing key");
            }

            SigningKeyFile.Create(file.FullName).Dispose();
            output.WriteLine($"private key: {file.FullName}");
            output.WriteLine($"public key:  {publicFile}");
            return ExitCodes.Success;
        });
        return command;
    }
}

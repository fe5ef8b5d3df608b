using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Bluezone.Protocol;
using Bluezone.Protocol.Export;
using Bluezone.Server.Exports;

namespace Bluezone.Cli.Export;

/// <summary><c>bluezone export …</c>: build and inspect GAEN export files (a zip of export.bin and export.sig).</summary>
internal static class ExportCommand
{
    public static Command Create() => new("export", "Build and inspect GAEN key export files.")
    {
        CreateBuild(),
        CreateInspect(),
    };

    private static Command CreateBuild()
    {
        var keys = new Option<FileInfo>("--keys") { Description = "JSON array of keys: [{\"key\":\"hex\",\"rollingStartIntervalNumber\":n,\"rollingPeriod\":n,\"reportType\":n,\"daysSinceOnsetOfSymptoms\":n}].", Required = true };
        var signingKey = new Option<FileInfo>("--signing-key") { Description = "ECDSA P-256 private key (PEM) that signs the export.", Required = true };
        var outFile = new Option<FileInfo>("--out") { Description = "Where to write the zip.", Required = true };
        var region = new Option<string>("--region") { Description = "Region code written into the export.", DefaultValueFactory = _ => "VN" };
        var keyId = new Option<string>("--key-id") { Description = "verification_key_id of the signing key (GAEN uses the country's MCC).", DefaultValueFactory = _ => "452" };
        var keyVersion = new Option<string>("--key-version") { Description = "verification_key_version of the signing key.", DefaultValueFactory = _ => "v1" };
        var command = new Command(
            "build",
            "Write a signed export zip from a keys file. The export's window runs from the earliest key's rolling start to the latest key's expiry; keys are written sorted by key bytes.")
        {
            keys, signingKey, outFile, region, keyId, keyVersion,
        };
        command.SetAction((parse, output) =>
        {
            var exported = KeysFile.Load(parse.GetRequiredValue(keys).FullName);
            var regionCode = parse.GetValue(region);
            if (string.IsNullOrWhiteSpace(regionCode))
            {
                throw new ArgumentException("--region must not be empty");
            }

            var info = new ExportSignatureInfo(parse.GetValue(keyId), parse.GetValue(keyVersion));
            var batch = ExportBatch.Covering(regionCode, exported, [info]);
            var keyPath = parse.GetRequiredValue(signingKey).FullName;
            using var key = SigningKeyFile.Load(keyPath);
            RequirePrivateKey(key, keyPath);
            var zip = ExportArchive.Create(batch, key);

            var target = parse.GetRequiredValue(outFile).FullName;
            WriteAtomically(target, zip);
            output.WriteLine($"wrote {target}: {batch.Keys.Count} keys, region {batch.Region}, {Describe(batch.StartTimestamp)} – {Describe(batch.EndTimestamp)}, {zip.Length} bytes");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateInspect()
    {
        var path = new Argument<FileInfo>("PATH") { Description = "An export zip or a bare export.bin." };
        var publicKey = new Option<FileInfo>("--public-key") { Description = "Public key (PEM) to verify the signature with; the exit code is then 0 only if it verifies." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("inspect", "Print an export's region, window, batch, keys and signatures; verify the signature with --public-key.")
        {
            path, publicKey, json,
        };
        command.SetAction((parse, output) =>
        {
            var file = parse.GetRequiredValue(path);
            SignedExport export;
            using (var stream = file.OpenRead())
            {
                export = ExportArchive.Read(stream);
            }

            bool? valid = null;
            if (parse.GetValue(publicKey) is { } keyFile)
            {
                using var key = SigningKeyFile.Load(keyFile.FullName);
                valid = export.Verify(key);
            }

            if (parse.GetValue(json))
            {
                WriteJson(output, export, valid);
            }
            else
            {
                WriteText(output, file.FullName, export, valid);
            }

            return valid is false ? ExitCodes.CheckFailed : ExitCodes.Success;
        });
        return command;
    }

    private static void WriteText(TextWriter output, string path, SignedExport export, bool? valid)
    {
        var batch = export.Batch;
        output.WriteLine($"file:         {path} ({(export.FromArchive ? "zip" : "bare export.bin")})");
        output.WriteLine($"region:       {batch.Region}");
        output.WriteLine($"start:        {Describe(batch.StartTimestamp)}");
        output.WriteLine($"end:          {Describe(batch.EndTimestamp)}");
        output.WriteLine($"batch:        {batch.BatchNum} of {batch.BatchSize}");
        output.WriteLine($"keys:         {batch.Keys.Count}");
        foreach (var (type, count) in CountByReportType(batch.Keys))
        {
            output.WriteLine($"  {JsonNamingPolicy.CamelCase.ConvertName(type.ToString()) + ":",-28}{count}");
        }

        output.WriteLine($"revised keys: {batch.RevisedKeys.Count}");
        foreach (var info in batch.SignatureInfos)
        {
            output.WriteLine($"signed by:    key id {info.VerificationKeyId ?? "(none)"}, version {info.VerificationKeyVersion ?? "(none)"}, algorithm {info.SignatureAlgorithm ?? "(none)"}");
        }

        output.WriteLine($"signatures:   {(export.FromArchive ? export.Signatures.Count.ToString(CultureInfo.InvariantCulture) : "none (bare export.bin)")}");
        output.WriteLine($"signature:    {valid switch { true => "valid", false => "NOT valid for this key", null => "not checked (no --public-key)" }}");
    }

    private static void WriteJson(TextWriter output, SignedExport export, bool? valid)
    {
        var batch = export.Batch;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", export.FromArchive ? "zip" : "bin");
            json.WriteString("region", batch.Region);
            json.WriteNumber("startTimestamp", batch.StartTimestamp.ToUnixTimeSeconds());
            json.WriteNumber("endTimestamp", batch.EndTimestamp.ToUnixTimeSeconds());
            json.WriteNumber("batchNum", batch.BatchNum);
            json.WriteNumber("batchSize", batch.BatchSize);
            json.WriteNumber("keyCount", batch.Keys.Count);
            json.WriteStartObject("reportTypeCounts");
            foreach (var (type, count) in CountByReportType(batch.Keys))
            {
                json.WriteNumber(JsonNamingPolicy.CamelCase.ConvertName(type.ToString()), count);
            }

            json.WriteEndObject();
            json.WriteNumber("revisedKeyCount", batch.RevisedKeys.Count);
            WriteKeys(json, "keys", batch.Keys);
            WriteKeys(json, "revisedKeys", batch.RevisedKeys);
            json.WriteStartArray("signatureInfos");
            foreach (var info in batch.SignatureInfos)
            {
                json.WriteStartObject();
                json.WriteString("verificationKeyId", info.VerificationKeyId);
                json.WriteString("verificationKeyVersion", info.VerificationKeyVersion);
                json.WriteString("signatureAlgorithm", info.SignatureAlgorithm);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("signatureCount", export.Signatures.Count);
            if (valid is { } v)
            {
                json.WriteBoolean("signatureValid", v);
            }
            else
            {
                json.WriteNull("signatureValid");
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static void WriteKeys(Utf8JsonWriter json, string name, IReadOnlyList<ExportedKey> keys)
    {
        json.WriteStartArray(name);
        foreach (var key in keys)
        {
            json.WriteStartObject();
            json.WriteString("key", Hex.Format(key.Key.KeyData));
            json.WriteNumber("rollingStartIntervalNumber", key.Key.RollingStartIntervalNumber.Value);
            json.WriteNumber("rollingPeriod", key.Key.RollingPeriod);
            json.WriteNumber("reportType", (int)key.ReportType);
            if (key.DaysSinceOnsetOfSymptoms is { } days)
            {
                json.WriteNumber("daysSinceOnsetOfSymptoms", days);
            }
            else
            {
                json.WriteNull("daysSinceOnsetOfSymptoms");
            }

            if (key.TransmissionRiskLevel is { } risk)
            {
                json.WriteNumber("transmissionRiskLevel", risk);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static IEnumerable<(ReportType Type, int Count)> CountByReportType(IReadOnlyList<ExportedKey> keys) =>
        keys.GroupBy(k => k.ReportType).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()));

    private static string Describe(DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{time.ToUnixTimeSeconds()} ({time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})");

    private static void RequirePrivateKey(ECDsa key, string path)
    {
        try
        {
            var parameters = key.ExportParameters(includePrivateParameters: true);
            CryptographicOperations.ZeroMemory(parameters.D);
        }
        catch (CryptographicException)
        {
            throw new FormatException($"{path} holds a public key only; signing needs the private key");
        }
    }

    /// <summary>Writes beside the target and renames, so a failure never leaves a half-written export behind.</summary>
    private static void WriteAtomically(string target, byte[] content)
    {
        var temporary = target + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

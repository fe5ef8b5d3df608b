using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bluezone.Cli;
using Bluezone.EndToEnd.Tests.Infrastructure;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// Two phones as data directories, driven only by the <c>bluezone device</c> verbs against the real server: A's
/// broadcast (<c>advertise</c>) becomes B's scan log (<c>replay</c>); A reports with a code (<c>report --code</c>);
/// B syncs and is F1 (<c>status --json</c>). The verbs use the real clock, so the server's clock starts at now.
/// </summary>
public sealed class CommandLinePhoneTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bluezone-e2e-cli-").FullName;

    [Fact]
    public async Task A_phone_reported_from_the_command_line_makes_its_replayed_contact_F1()
    {
        var now = DateTimeOffset.UtcNow;
        await using var server = await LoopbackServer.StartAsync(now);
        var url = server.Address.ToString();
        var a = Path.Combine(_root, "A");
        var b = Path.Combine(_root, "B");

        // A's broadcast for the 25 minutes starting an hour ago, one line per rotation.
        // (Within one UTC day, so the 20 minutes are one exposure day whatever time the test runs.)
        var from = DateTimeOffset.FromUnixTimeSeconds(now.TimeOfDay >= TimeSpan.FromMinutes(90)
            ? now.AddHours(-1).ToUnixTimeSeconds()
            : new DateTimeOffset(now.UtcDateTime.Date.AddHours(-2), TimeSpan.Zero).ToUnixTimeSeconds());
        var advertised = Run("device", "advertise", "--data", a, "--from", from.ToString("O", CultureInfo.InvariantCulture), "--minutes", "25");
        Assert.Equal(0, advertised.ExitCode);
        var rotations = advertised.Lines.Select(l => l.Split(' ')).ToList();
        Assert.InRange(rotations.Count, 3, 5);
        Assert.All(rotations, r => Assert.Equal(62, r[2].Length));

        // B sat close to A for 20 of them: a sighting every 2 s of whatever A had on the air.
        var log = new StringBuilder("unix_ms,address,rssi,adv_hex\n");
        for (var t = from.AddMinutes(2); t < from.AddMinutes(22); t = t.AddSeconds(2))
        {
            var ms = t.ToUnixTimeMilliseconds();
            var on = rotations.Last(r => long.Parse(r[0], CultureInfo.InvariantCulture) <= ms);
            log.Append(CultureInfo.InvariantCulture, $"{ms},{on[1]},{Town.RssiFor(Town.Close)},{on[2]}\n");
        }

        var logPath = Path.Combine(_root, "b-log.csv");
        await File.WriteAllTextAsync(logPath, log.ToString());
        Assert.Equal(0, Run("device", "replay", logPath, "--data", b).ExitCode);

        Assert.Equal("""{"level":"safe","exposureDate":null}""", Assert.Single(Run("device", "status", "--data", b, "--json").Lines));

        // Without --yes: the summary only, the token kept, nothing uploaded.
        var code = await server.IssueCodeAsync(DateOnly.FromDateTime(now.UtcDateTime));
        var dryRun = Run("device", "report", "--server", url, "--data", a, "--code", code);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("heard tokens; nothing else", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("not uploaded", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal("""{"level":"safe","exposureDate":null}""", Assert.Single(Run("device", "status", "--data", a, "--json").Lines));

        var report = Run("device", "report", "--server", url, "--data", a, "--code", code, "--yes");
        Assert.True(report.ExitCode == 0, report.Output + report.Error);
        var status = JsonNode.Parse(Assert.Single(Run("device", "status", "--data", a, "--json").Lines))!;
        Assert.Equal("F0", (string?)status["level"]);

        // The export follows once A's today key, cut to now, has expired.
        server.MoveTo(DateTimeOffset.UtcNow.AddMinutes(11));
        var index = await server.AwaitNextExportAsync(0);

        var sync = Run("device", "sync", "--server", url, "--data", b);
        Assert.True(sync.ExitCode == 0, sync.Output + sync.Error);
        Assert.Contains($"processed {index[0]}", sync.Output, StringComparison.Ordinal);
        var exposure = from.AddMinutes(2).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal($$"""{"level":"F1","exposureDate":"{{exposure}}"}""", Assert.Single(Run("device", "status", "--data", b, "--json").Lines));

        // The server's key was pinned at the first sync (trust on first use).
        var served = await server.Http.GetStringAsync("/v1/exports/public-key.pem");
        using (var store = Bluezone.Device.Storage.DeviceStore.Open(b))
        {
            Assert.Equal(served.Trim(), store.LoadSyncState().PinnedPublicKeyPem?.Trim());
        }

        // B, an F1, offers to warn its contacts; A never heard B (only B's log has the contact), so the server
        // refuses the recursive upload and the refusal is shown with its code.
        Assert.Equal(0, Run("device", "advertise", "--data", b, "--from", from.ToString("O", CultureInfo.InvariantCulture), "--minutes", "25").ExitCode); // B's own keys
        var offer = Run("device", "report", "--server", url, "--data", b, "--recursive");
        Assert.Equal(0, offer.ExitCode);
        Assert.Contains("will send: keys of", offer.Output, StringComparison.Ordinal);
        var refused = Run("device", "report", "--server", url, "--data", b, "--recursive", "--yes");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused: contact_proof_failed (403)", refused.Output, StringComparison.Ordinal);
        Assert.Equal(2, Run("device", "report", "--server", url, "--data", b).ExitCode); // neither --code nor --recursive

        var again = Run("device", "sync", "--server", url, "--data", b);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("no change", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_export_file_from_another_authority_is_checked_and_matched_by_device_import()
    {
        // A's broadcast yesterday; B sat close to it for 20 minutes (B's log comes from A's own advertisements).
        var a = Path.Combine(_root, "A");
        var b = Path.Combine(_root, "B");
        var from = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1).AddHours(10), TimeSpan.Zero);
        var rotations = Run("device", "advertise", "--data", a, "--from", from.ToString("O", CultureInfo.InvariantCulture), "--minutes", "25").Lines.Select(l => l.Split(' ')).ToList();
        var log = new StringBuilder("unix_ms,address,rssi,adv_hex\n");
        for (var t = from.AddMinutes(2); t < from.AddMinutes(22); t = t.AddSeconds(2))
        {
            var on = rotations.Last(r => long.Parse(r[0], CultureInfo.InvariantCulture) <= t.ToUnixTimeMilliseconds());
            log.Append(CultureInfo.InvariantCulture, $"{t.ToUnixTimeMilliseconds()},{on[1]},{Town.RssiFor(Town.Close)},{on[2]}\n");
        }

        var logPath = Path.Combine(_root, "b-log.csv");
        File.WriteAllText(logPath, log.ToString());
        Assert.Equal(0, Run("device", "replay", logPath, "--data", b).ExitCode);

        // Another authority publishes A's key in its own export, signed with its own key.
        Bluezone.Protocol.Keys.TemporaryExposureKey key;
        using (var store = Bluezone.Device.Storage.DeviceStore.Open(a))
        {
            key = Assert.Single(store.LoadOwnKeys());
        }

        var signingKey = Path.Combine(_root, "other.key.pem");
        Assert.Equal(0, Run("keys", "signing-key", "--out", signingKey).ExitCode);
        var publicKey = Path.Combine(_root, "other.pub.pem");
        using (var ecdsa = System.Security.Cryptography.ECDsa.Create())
        {
            ecdsa.ImportFromPem(File.ReadAllText(signingKey));
            File.WriteAllText(publicKey, ecdsa.ExportSubjectPublicKeyInfoPem());
        }

        var keysJson = Path.Combine(_root, "keys.json");
        File.WriteAllText(keysJson, string.Create(CultureInfo.InvariantCulture, $$"""[{"key":"{{Convert.ToHexString(key.KeyData)}}","rollingStartIntervalNumber":{{key.RollingStartIntervalNumber.Value}},"rollingPeriod":144,"reportType":1}]"""));
        var export = Path.Combine(_root, "other.zip");
        Assert.Equal(0, Run("export", "build", "--keys", keysJson, "--signing-key", signingKey, "--out", export, "--region", "XX").ExitCode);

        // B has never synced, so it has no pinned key: the key must be given.
        Assert.Equal(2, Run("device", "import", export, "--data", b).ExitCode);

        // A tampered copy is refused and changes nothing.
        var tampered = Path.Combine(_root, "tampered.zip");
        var bytes = File.ReadAllBytes(export);
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes), System.IO.Compression.ZipArchiveMode.Read))
        using (var copy = File.Create(tampered))
        using (var output = new System.IO.Compression.ZipArchive(copy, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var entry in zip.Entries)
            {
                using var source = entry.Open();
                using var buffer = new MemoryStream();
                source.CopyTo(buffer);
                var content = buffer.ToArray();
                if (entry.Name == "export.bin")
                {
                    content[^1] ^= 1;
                }

                using var target = output.CreateEntry(entry.FullName).Open();
                target.Write(content);
            }
        }

        var refused = Run("device", "import", tampered, "--data", b, "--public-key", publicKey);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused local/", refused.Output, StringComparison.Ordinal);
        Assert.Equal("""{"level":"safe","exposureDate":null}""", Assert.Single(Run("device", "status", "--data", b, "--json").Lines));

        var imported = Run("device", "import", export, "--data", b, "--public-key", publicKey);
        Assert.True(imported.ExitCode == 0, imported.Output + imported.Error);
        Assert.Contains("(1 keys, 1 matched days)", imported.Output, StringComparison.Ordinal);
        var day = from.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal($$"""{"level":"F1","exposureDate":"{{day}}"}""", Assert.Single(Run("device", "status", "--data", b, "--json").Lines));

        // The other authority's key was used for that file only: B pinned nothing.
        using (var store = Bluezone.Device.Storage.DeviceStore.Open(b))
        {
            Assert.Null(store.LoadSyncState().PinnedPublicKeyPem);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static CliRun Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = BluezoneCommand.Invoke(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliRun(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}

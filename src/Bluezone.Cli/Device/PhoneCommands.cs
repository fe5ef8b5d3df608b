using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bluezone.Device.Identity;
using Bluezone.Device.Proximity;
using Bluezone.Device.Reporting;
using Bluezone.Device.Storage;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;

namespace Bluezone.Cli.Device;

/// <summary>
/// One phone from the command line: a data directory is one phone (its store, its keys, its sync state). These verbs
/// make field tests and log replays possible without an app.
/// </summary>
internal static class PhoneCommands
{
    public static Command CreateAdvertise()
    {
        var data = DataOption();
        var from = new Option<string>("--from") { Description = "Start, ISO 8601 (e.g. 2026-11-20T08:00:00Z).", Required = true };
        var minutes = new Option<int>("--minutes") { Description = "Length of the period in minutes (1–20160).", Required = true };
        var model = new Option<string?>("--model") { Description = "This phone's model as \"OEM,MODEL\" (its tx power goes into the AEM)." };
        var calibration = new Option<FileInfo?>("--calibration") { Description = "Calibration table CSV; without it, documented defaults." };
        var command = new Command("advertise", "Print what this phone broadcasts over a period: one line per rotation, \"unix_ms address adv_hex\" (creates a day's key if the phone has none).")
        {
            data, from, minutes, model, calibration,
        };
        command.SetAction((parse, output) =>
        {
            var start = DateTimeOffset.TryParse(parse.GetRequiredValue(from), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed.ToUniversalTime()
                : throw new FormatException($"--from must be an ISO 8601 time, not '{parse.GetValue(from)}'");
            var length = parse.GetValue(minutes);
            if (length is < 1 or > 20_160)
            {
                throw new ArgumentException($"--minutes must be 1–20160 (14 days), not {length}");
            }

            var table = parse.GetValue(calibration) is { } file ? CalibrationTable.Load(file.FullName) : CalibrationTable.Defaults;
            var own = table.Find(parse.GetValue(model));
            using var store = DeviceStore.Open(parse.GetRequiredValue(data).FullName);
            var identity = new RotatingIdentity(new OwnKeyRing(store), AdvertisementMetadata.ForTxPower(own.TxPowerDbm, own.Confidence), new IdentityOptions(), new Random());
            var end = start.AddMinutes(length);
            for (var t = start; t < end;)
            {
                var broadcast = identity.At(t);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.ToUnixTimeMilliseconds()} {broadcast.Address} {Hex.Format(broadcast.Advertisement.ToArray())}"));
                t = broadcast.Until;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateSync()
    {
        var server = ServerOption();
        var data = DataOption();
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "PEM of the export verification key to trust (pinned). Without it: the key pinned earlier, else the server's own, pinned at this first sync (trust on first use)." };
        var command = new Command("sync", "Sync this phone with the server: join once, verified configuration, new export files (signature checked), match, warn.")
        {
            server, data, publicKey,
        };
        command.SetAction((parse, output) => WithServer(parse, output, async (api, store, warnings) =>
        {
            var sync = new ExposureSync(api, store, warnings, TimeProvider.System);
            var pem = parse.GetValue(publicKey) is { } file ? await File.ReadAllTextAsync(file.FullName).ConfigureAwait(false) : null;
            using var key = await sync.PinPublicKeyAsync(pem).ConfigureAwait(false);
            var result = await sync.SyncAsync(key).ConfigureAwait(false);
            if (result.JoinedNow)
            {
                output.WriteLine("joined the community");
            }

            output.WriteLine(result.ConfigurationAdopted
                ? string.Create(CultureInfo.InvariantCulture, $"configuration: adopted (issued {result.ConfigurationIssuedAt:O})")
                : "configuration: unchanged");
            if (result.IndexUnchanged)
            {
                output.WriteLine("exports: no change since the last sync");
            }

            foreach (var (name, keys) in result.Processed)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"processed {name} ({keys} keys)"));
            }

            foreach (var refused in result.Refused)
            {
                output.WriteLine($"refused {refused.Name}: {refused.Reason}");
            }

            foreach (var problem in result.Problems)
            {
                output.WriteLine("problem: " + problem);
            }

            output.WriteLine("status: " + StatusText(result.Status));
            // Exit 1 when exports could not all be checked; a failed join or configuration fetch is printed only.
            return result.ExportsUpToDate ? ExitCodes.Success : ExitCodes.CheckFailed;
        }));
        return command;
    }

    public static Command CreateReport()
    {
        var server = ServerOption();
        var data = DataOption();
        var code = new Option<string?>("--code") { Description = "The health authority's code (8 digits or 16 characters): upload as a confirmed case (F0)." };
        var recursive = new Option<bool>("--recursive") { Description = "Upload as an F1 (warns this phone's own contacts; the server checks the contact proof)." };
        var yes = new Option<bool>("--yes") { Description = "Consent given: upload. Without it the summary of what would be sent is printed and nothing is uploaded." };
        var command = new Command("report", "Upload this phone's keys: --code CODE (F0) or --recursive (F1), after consent (--yes).")
        {
            server, data, code, recursive, yes,
        };
        command.SetAction((parse, output) =>
        {
            var codeText = parse.GetValue(code);
            if ((codeText is null) == !parse.GetValue(recursive))
            {
                throw new ArgumentException("give exactly one of --code CODE (F0) and --recursive (F1)");
            }

            return WithServer(parse, output, async (api, store, warnings) =>
            {
                var uploads = new ReportUploads(api, store, warnings, TimeProvider.System);
                ReportConsent consent;
                try
                {
                    consent = codeText is null ? uploads.PrepareRecursive() : await uploads.PrepareConfirmedAsync(codeText).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    output.WriteLine("not uploaded: " + e.Message);
                    return ExitCodes.CheckFailed;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"will send: keys of {consent.KeyDays.Count} days ({string.Join(", ", consent.KeyDays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}) and {consent.HeardTokenCount} heard tokens; nothing else"));
                if (!parse.GetValue(yes))
                {
                    output.WriteLine("not uploaded: run again with --yes to consent");
                    return ExitCodes.Success;
                }

                var result = consent.ReportType == ReportType.Recursive
                    ? await uploads.UploadRecursiveAsync(consent).ConfigureAwait(false)
                    : await uploads.UploadConfirmedAsync(consent).ConfigureAwait(false);
                if (!result.Accepted)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refused: {result.ErrorCode} ({result.HttpStatus}): {result.Message}"));
                    return ExitCodes.CheckFailed;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uploaded: {result.Inserted} keys accepted"));
                output.WriteLine("status: " + StatusText(warnings.Current));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    public static Command CreateImport()
    {
        var data = DataOption();
        var file = new Argument<FileInfo>("EXPORT.zip") { Description = "A signed export file (export.bin + export.sig in a zip), from any server that follows the format." };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "PEM of the key the file must be signed with (used for this file only; another authority's key does not replace the pinned one). Without it: the key this phone pinned at its first sync." };
        var command = new Command("import", "Check, match and score one export file received outside a sync (another authority's export, a field test).")
        {
            file, data, publicKey,
        };
        command.SetAction((parse, output) =>
        {
            using var store = OpenExisting(parse.GetRequiredValue(data));
            var pem = parse.GetValue(publicKey) is { } pemFile
                ? File.ReadAllText(pemFile.FullName)
                : store.LoadSyncState().PinnedPublicKeyPem ?? throw new ArgumentException("no verification key: pass --public-key, or sync with a server first so its key is pinned");
            using var key = ExposureSync.ImportPublicKey(pem);
            var bytes = File.ReadAllBytes(parse.GetRequiredValue(file).FullName);
            var name = ExportImport.LocalName(bytes);
            var outcome = new ExportImport(store, TimeProvider.System).Import(name, bytes, key);
            if (outcome.Refusal is { } reason)
            {
                output.WriteLine($"refused {name}: {reason}");
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"processed {name} ({outcome.Keys} keys, {outcome.MatchedDays} matched days)"));
            }

            output.WriteLine("status: " + StatusText(ExposureWarnings.Compute(store)));
            return outcome.Refusal is null ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    public static Command CreateStatus()
    {
        var data = DataOption();
        var json = new Option<bool>("--json") { Description = "Print {\"level\":\"safe\"|\"F2\"|\"F1\"|\"F0\",\"exposureDate\":\"YYYY-MM-DD\"|null}." };
        var command = new Command("status", "This phone's warning level and exposure date.") { data, json };
        command.SetAction((parse, output) =>
        {
            using var store = OpenExisting(parse.GetRequiredValue(data));
            var status = ExposureWarnings.Compute(store);
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteString("level", LevelName(status.Level));
                    if (status.ExposureDate is { } date)
                    {
                        writer.WriteString("exposureDate", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        writer.WriteNull("exposureDate");
                    }

                    writer.WriteEndObject();
                }

                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                output.WriteLine(StatusText(status));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string LevelName(WarningLevel level) => level == WarningLevel.Safe ? "safe" : level.ToString();

    private static string StatusText(WarningStatus status) => status.Level switch
    {
        WarningLevel.Safe => "safe",
        WarningLevel.F0 => string.Create(CultureInfo.InvariantCulture, $"F0 (confirmed case, tested {status.ExposureDate:yyyy-MM-dd})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{status.Level} (exposure {status.ExposureDate:yyyy-MM-dd}, from a {(status.SourceReportType == ReportType.Recursive ? "recursive" : "confirmed")} report)"),
    };

    private static Option<DirectoryInfo> DataOption() => new("--data") { Description = "The phone's data directory (one directory = one phone).", Required = true };

    private static Option<string> ServerOption() => new("--server") { Description = "The server's base URL, e.g. http://127.0.0.1:5000.", Required = true };

    /// <summary>Opens the store without creating a phone where there was none (status of a typo'd path is an error).</summary>
    private static DeviceStore OpenExisting(DirectoryInfo data) =>
        File.Exists(Path.Combine(data.FullName, "device.db"))
            ? DeviceStore.Open(data.FullName)
            : throw new DirectoryNotFoundException($"no phone in {data.FullName} (no device.db)");

    /// <summary>Runs a verb that talks to the server; network failures and refusals end as one line and exit 1.</summary>
    private static int WithServer(ParseResult parse, TextWriter output, Func<ServerApi, DeviceStore, ExposureWarnings, Task<int>> body)
    {
        var serverText = parse.GetRequiredValue<string>("--server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server))
        {
            throw new ArgumentException($"--server must be an absolute URL, not '{serverText}'");
        }

        using var api = new ServerApi(server);
        using var store = DeviceStore.Open(parse.GetRequiredValue<DirectoryInfo>("--data").FullName);
        var warnings = new ExposureWarnings(store);
        try
        {
            return body(api, store, warnings).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or ServerRefusedException)
        {
            parse.InvocationConfiguration.Error.WriteLine("bluezone: " + e.Message);
            return ExitCodes.CheckFailed;
        }
    }
}

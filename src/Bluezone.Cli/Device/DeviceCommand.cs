using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bluezone.Device;
using Bluezone.Device.Energy;
using Bluezone.Device.History;
using Bluezone.Device.Proximity;
using Bluezone.Device.Replay;
using Bluezone.Device.Storage;

namespace Bluezone.Cli.Device;

/// <summary><c>bluezone device …</c>: the phone's core from the command line — energy model and scan-log replay.</summary>
internal static class DeviceCommand
{
    public static Command Create() => new("device", "One phone from the command line (a data directory is one phone): broadcast, replay, sync, import, report, status, energy.")
    {
        CreateEnergy(),
        CreateReplay(),
        PhoneCommands.CreateAdvertise(),
        PhoneCommands.CreateSync(),
        PhoneCommands.CreateImport(),
        PhoneCommands.CreateReport(),
        PhoneCommands.CreateStatus(),
    };

    private static Command CreateEnergy()
    {
        var advertise = new Option<double>("--advertise-ms") { Description = "Advertising interval in milliseconds.", DefaultValueFactory = _ => 250 };
        var scanEvery = new Option<double>("--scan-every-s") { Description = "Seconds from one background scan to the next (GAEN: 210–300, mean 255).", DefaultValueFactory = _ => 255 };
        var scanWindow = new Option<double>("--scan-window-s") { Description = "Length of each scan in seconds.", DefaultValueFactory = _ => 4 };
        var battery = new Option<double>("--battery-mah") { Description = "Battery capacity in mAh.", DefaultValueFactory = _ => 3000 };
        var command = new Command("energy", "Estimate the battery the radio duty cycle uses per day.") { advertise, scanEvery, scanWindow, battery };
        command.SetAction((parse, output) =>
        {
            var estimate = EnergyModel.Estimate(
                Milliseconds(parse.GetValue(advertise), "--advertise-ms"),
                Seconds(parse.GetValue(scanEvery), "--scan-every-s"),
                Seconds(parse.GetValue(scanWindow), "--scan-window-s"),
                parse.GetValue(battery));
            foreach (var item in estimate.Items)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{item.Name}: {item.MilliampHoursPerDay:F2} mAh/day = {100 * item.MilliampHoursPerDay / estimate.BatteryMilliampHours:F2} %/day  [{item.Basis}]"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total: {estimate.MilliampHoursPerDay:F1} mAh/day of {estimate.BatteryMilliampHours:F0} mAh = {estimate.PercentPerDay:F2} %/day"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateReplay()
    {
        var log = new Argument<FileInfo>("LOG.csv") { Description = "Scan log: header, then unix_ms,address,rssi,adv_hex per line." };
        var model = new Option<string?>("--model") { Description = "This phone's model as \"OEM,MODEL\" (calibration lookup)." };
        var calibration = new Option<FileInfo?>("--calibration") { Description = "Calibration table CSV (en-calibration format); without it, documented defaults." };
        var day = new Option<string?>("--day") { Description = "Only this UTC day, YYYY-MM-DD." };
        var json = new Option<bool>("--json") { Description = "Print JSON: {\"days\":[…]}." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data directory to keep the store in; without it a temporary store is used and deleted." };
        var command = new Command("replay", "Replay a scan log through the device core and print each UTC day's history.") { log, model, calibration, day, json, data };
        command.SetAction((parse, output) =>
        {
            DateOnly? onlyDay = null;
            if (parse.GetValue(day) is { } dayText)
            {
                onlyDay = DateOnly.TryParseExact(dayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                    ? parsed
                    : throw new FormatException($"--day must be YYYY-MM-DD, not '{dayText}'");
            }

            var table = parse.GetValue(calibration) is { } calibrationFile ? CalibrationTable.Load(calibrationFile.FullName) : CalibrationTable.Defaults;
            var options = new DeviceOptions { Model = parse.GetValue(model) };

            // A sender's tx is unknown before a match: assume the table's global average (−24 dBm without a table).
            options.Sightings.DefaultSenderTxPowerDbm = table.Global.TxPowerDbm;
            var ownCalibration = table.Find(options.Model);

            // The whole log is read and checked before the store is even opened: a bad line stores nothing.
            var records = ScanLog.Read(parse.GetRequiredValue(log).FullName);

            var dataDirectory = parse.GetValue(data)?.FullName;
            var temporary = dataDirectory is null;
            dataDirectory ??= Directory.CreateTempSubdirectory("bluezone-replay-").FullName;
            IReadOnlyList<DayHistory> days;
            try
            {
                using var store = DeviceStore.Open(dataDirectory);
                days = ScanLogReplay.Run(records, store, ownCalibration, options);
            }
            finally
            {
                if (temporary)
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
            }

            if (onlyDay is { } wanted)
            {
                days = days.Where(d => d.Date == wanted).DefaultIfEmpty(new DayHistory(wanted, default, default, 0, 0)).ToArray();
            }

            if (parse.GetValue(json))
            {
                WriteJson(output, days);
            }
            else
            {
                foreach (var d in days)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{d.Date:yyyy-MM-dd}  contacts: {d.Contacts.People} people, {d.Contacts.Bluezoners} Bluezoners  close: {d.Close.People} people, {d.Close.Bluezoners} Bluezoners  encounters: {d.Encounters}  distinct RPIs: {d.DistinctRpis}"));
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, IReadOnlyList<DayHistory> days)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("days");
            foreach (var d in days)
            {
                writer.WriteStartObject();
                writer.WriteString("date", d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                writer.WriteStartObject("contacts");
                writer.WriteNumber("people", d.Contacts.People);
                writer.WriteNumber("bluezoners", d.Contacts.Bluezoners);
                writer.WriteEndObject();
                writer.WriteStartObject("close");
                writer.WriteNumber("people", d.Close.People);
                writer.WriteNumber("bluezoners", d.Close.Bluezoners);
                writer.WriteEndObject();
                writer.WriteNumber("encounters", d.Encounters);
                writer.WriteNumber("distinctRpis", d.DistinctRpis);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static TimeSpan Milliseconds(double value, string name) =>
        double.IsFinite(value) && value > 0 && value <= 3_600_000 ? TimeSpan.FromMilliseconds(value) : throw new ArgumentException($"{name} must be a positive number of milliseconds, not {value}");

    private static TimeSpan Seconds(double value, string name) =>
        double.IsFinite(value) && value > 0 && value <= 86_400 ? TimeSpan.FromSeconds(value) : throw new ArgumentException($"{name} must be a positive number of seconds up to a day, not {value}");
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Cli.Tests.Device;

/// <summary>The <c>device</c> and <c>bench ingest</c> verbs, run in-process through the real command line.</summary>
public sealed class DeviceCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 11, 21, 7, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("bluezone-cli-device-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Replay_prints_each_days_history_as_JSON()
    {
        var (log, rpisDay1, rpisDay2) = WriteLog();

        var (code, output, error) = Run("device", "replay", log, "--json");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var expected = "{\"days\":["
            + $"{{\"date\":\"2026-11-20\",\"contacts\":{{\"people\":3,\"bluezoners\":2}},\"close\":{{\"people\":1,\"bluezoners\":1}},\"encounters\":2,\"distinctRpis\":{rpisDay1}}},"
            + $"{{\"date\":\"2026-11-21\",\"contacts\":{{\"people\":1,\"bluezoners\":1}},\"close\":{{\"people\":1,\"bluezoners\":1}},\"encounters\":1,\"distinctRpis\":{rpisDay2}}}"
            + "]}";
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public void Replay_of_one_day_prints_only_that_day_in_text()
    {
        var (log, rpisDay1, _) = WriteLog();

        var (code, output, _) = Run("device", "replay", log, "--day", "2026-11-20");

        Assert.Equal(0, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("2026-11-20", line, StringComparison.Ordinal);
        Assert.Contains("contacts: 3 people, 2 Bluezoners", line, StringComparison.Ordinal);
        Assert.Contains("close: 1 people, 1 Bluezoners", line, StringComparison.Ordinal);
        Assert.Contains($"distinct RPIs: {rpisDay1}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_with_a_calibration_table_and_model_applies_the_rssi_correction()
    {
        var (log, _, _) = WriteLog();
        var table = Path.Combine(_directory, "calibration.csv");
        // A phone that hears 30 dB weaker than an iPhone would: with the correction, the far phone becomes close too.
        File.WriteAllText(table, "oem,model,rssi correction,tx,has direct measurement\nAcme,Phone 1,30,-24,yes\n");

        var (code, output, _) = Run("device", "replay", log, "--calibration", table, "--model", "Acme,Phone 1", "--day", "2026-11-20", "--json");

        Assert.Equal(0, code);
        Assert.Contains("\"close\":{\"people\":3,\"bluezoners\":2}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_keeps_the_store_in_the_data_directory_when_asked()
    {
        var (log, _, _) = WriteLog();
        var data = Path.Combine(_directory, "data");

        var (code, _, _) = Run("device", "replay", log, "--data", data);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(data, "device.db")));
        Assert.True(File.Exists(Path.Combine(data, "device.key")));
    }

    [Fact]
    public void A_malformed_line_is_reported_by_number_with_exit_code_2_and_nothing_is_stored()
    {
        var (log, _, _) = WriteLog();
        var lines = File.ReadAllLines(log).ToList();
        lines[4] = "1763632800000,AA:BB:CC:DD:EE:FF,-60,02010G"; // line 5: not hex
        File.WriteAllLines(log, lines);
        var data = Path.Combine(_directory, "data");

        var (code, output, error) = Run("device", "replay", log, "--data", data, "--json");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("line 5", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "device.db")));
    }

    [Theory]
    [InlineData("1763632800000,AA:BB:CC:DD:EE:FF,-60", "4 comma-separated fields")]
    [InlineData("yesterday,AA:BB:CC:DD:EE:FF,-60,0201", "unix_ms")]
    [InlineData("1763632800000,AA:BB:CC:DD:EE,-60,0201", "address")]
    [InlineData("1763632800000,AA:BB:CC:DD:EE:FF,loud,0201", "rssi")]
    [InlineData("1763632800000,AA:BB:CC:DD:EE:FF,-60,", "adv_hex")]
    public void Each_kind_of_malformed_field_is_named(string line, string named)
    {
        var log = Path.Combine(_directory, "bad.csv");
        File.WriteAllText(log, "unix_ms,address,rssi,adv_hex\n1763632800000,AA:BB:CC:DD:EE:FF,-60,0201\n" + line + "\n");

        var (code, _, error) = Run("device", "replay", log);

        Assert.Equal(2, code);
        Assert.Contains("line 3", error, StringComparison.Ordinal);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_without_the_header_is_refused()
    {
        var log = Path.Combine(_directory, "noheader.csv");
        File.WriteAllText(log, "1763632800000,AA:BB:CC:DD:EE:FF,-60,0201\n");

        var (code, _, error) = Run("device", "replay", log);

        Assert.Equal(2, code);
        Assert.Contains("line 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_without_a_data_directory_leaves_no_store_behind()
    {
        var (log, _, _) = WriteLog();
        var before = Directory.GetDirectories(Path.GetTempPath(), "bluezone-replay-*").Length;

        var (code, _, _) = Run("device", "replay", log);

        Assert.Equal(0, code);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "bluezone-replay-*").Length);
    }

    [Fact]
    public void The_default_duty_cycle_costs_under_ten_percent_a_day()
    {
        var (code, output, _) = Run("device", "energy");

        Assert.Equal(0, code);
        var last = output.TrimEnd().Split('\n')[^1];
        var match = Regex.Match(last, @"([0-9.]+) %/day$");
        Assert.True(match.Success, last);
        var percent = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(percent, 0.5, 10);
        Assert.Contains("advertising:", output, StringComparison.Ordinal);
        Assert.Contains("scanning:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scanning_continuously_costs_more_than_the_default_and_a_smaller_battery_a_larger_share()
    {
        static double Percent(params string[] args)
        {
            var (_, output, _) = Run(["device", "energy", .. args]);
            return double.Parse(Regex.Match(output.TrimEnd().Split('\n')[^1], @"([0-9.]+) %/day$").Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var defaults = Percent();
        Assert.True(Percent("--scan-every-s", "4", "--scan-window-s", "4") > 10 * defaults);
        Assert.Equal(2 * defaults, Percent("--battery-mah", "1500"), 1);
    }

    [Fact]
    public void An_impossible_duty_cycle_is_refused()
    {
        var (code, _, error) = Run("device", "energy", "--scan-every-s", "3", "--scan-window-s", "4");
        Assert.Equal(2, code);
        Assert.Contains("scan window", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_ingest_ends_with_the_rate()
    {
        var (code, output, _) = Run("bench", "ingest", "--sightings", "20000");

        Assert.Equal(0, code);
        Assert.Matches(@"^ingest: [0-9]+ sightings/s$", output.TrimEnd().Split('\n')[^1]);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>
    /// Day 1: a phone at 50 dB and one at 80 dB for an hour, and earbuds at 85 dB; day 2: a phone at 50 dB for
    /// 30 minutes. Scans of 4 s every 255 s, 16 sightings per scan, real RPIs rotating at the boundaries.
    /// </summary>
    private (string Path, int RpisDay1, int RpisDay2) WriteLog()
    {
        var csv = new StringBuilder("unix_ms,address,rssi,adv_hex\n");
        var rpisDay1 = new HashSet<string>();
        var rpisDay2 = new HashSet<string>();
        var random = new Random(3);
        void Phone(DateTimeOffset from, TimeSpan length, int attenuation, HashSet<string> rpis, int id)
        {
            var key = new byte[16];
            random.NextBytes(key);
            var tek = new TemporaryExposureKey(key, IntervalNumber.FromTime(from).DayStart);
            var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key);
            var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key);
            for (var scan = from; scan < from + length; scan += TimeSpan.FromSeconds(255))
            {
                var interval = IntervalNumber.FromTime(scan);
                Assert.True(tek.Covers(interval));
                var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, interval);
                var aem = KeySchedule.EncryptMetadata(aemk, rpi, AdvertisementMetadata.ForTxPower(-24).ToArray());
                var hex = Convert.ToHexString(new BluezoneAdvertisement(rpi, aem).ToArray());
                rpis.Add(hex);
                for (var i = 0; i < 16; i++)
                {
                    var t = (scan + TimeSpan.FromMilliseconds((250 * i) + id)).ToUnixTimeMilliseconds();
                    csv.Append(CultureInfo.InvariantCulture, $"{t},4{id}:00:00:00:{interval.Value % 256:X2}:01,{-20 - attenuation + random.Next(-2, 3)},{hex}\n");
                }
            }
        }

        Phone(Day1, TimeSpan.FromHours(1), 50, rpisDay1, 1);
        Phone(Day1, TimeSpan.FromHours(1), 80, rpisDay1, 2);
        for (var scan = Day1; scan < Day1.AddHours(1); scan += TimeSpan.FromSeconds(255))
        {
            for (var i = 0; i < 4; i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{(scan + TimeSpan.FromSeconds(i)).ToUnixTimeMilliseconds()},7A:11:22:33:44:55,-105,0201060AFF4C001005031C2B3D4E\n");
            }
        }

        Phone(Day2, TimeSpan.FromMinutes(30), 50, rpisDay2, 3);

        // A scan log need not be in time order: the replay sorts it.
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var path = Path.Combine(_directory, "log.csv");
        File.WriteAllLines(path, [lines[0], .. lines.Skip(1).OrderBy(l => l.Split(',')[0], StringComparer.Ordinal)]);
        return (path, rpisDay1.Count, rpisDay2.Count);
    }
}

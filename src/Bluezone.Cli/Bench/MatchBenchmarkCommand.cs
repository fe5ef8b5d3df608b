using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bluezone.Device.Matching;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Cli.Bench;

/// <summary>
/// <c>bluezone bench match</c>: how many published keys per second one phone checks against its log — derive
/// all 144 RPIs of each key, look each one up among S heard identifiers, build windows for the hits.
/// A few keys are planted in the log so the run proves it finds what it should (<c>planted P, found F</c>).
/// </summary>
internal static class MatchBenchmarkCommand
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var keys = new Option<int>("--keys") { Description = "Published keys to match.", DefaultValueFactory = _ => 1_000_000 };
        var sightings = new Option<int>("--sightings") { Description = "Distinct sightings (scan instances) in the phone's log.", DefaultValueFactory = _ => 100_000 };
        var threads = new Option<int>("--threads") { Description = "Threads to split the keys over.", DefaultValueFactory = _ => 1 };
        var planted = new Option<int>("--planted") { Description = "Keys that truly match the log.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random log and keys.", DefaultValueFactory = _ => 1 };
        var command = new Command("match", "Match K random published keys against a random log of S sightings; the last line is 'match: N keys/s'.")
        {
            keys, sightings, threads, planted, seed,
        };
        command.SetAction((parse, output) =>
        {
            var k = parse.GetValue(keys);
            var s = parse.GetValue(sightings);
            var t = parse.GetValue(threads);
            var p = parse.GetValue(planted);
            Require(k is >= 1 and <= 20_000_000, $"--keys must be 1–20000000, not {k}");
            Require(s is >= 1 and <= 50_000_000, $"--sightings must be 1–50000000, not {s}");
            Require(t >= 1 && t <= Environment.ProcessorCount * 4, $"--threads must be 1–{Environment.ProcessorCount * 4}, not {t}");
            Require(p >= 0 && p <= Math.Min(k, s), $"--planted must be 0–min(keys, sightings), not {p}");
            Run(k, s, t, p, parse.GetValue(seed), output, parse.InvocationConfiguration.Error);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static void Run(int keyCount, int sightingCount, int threads, int plantedCount, int seed, TextWriter output, TextWriter error)
    {
        var random = new Random(seed);
        var day = IntervalNumber.FromTime(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        error.WriteLine($"bench match: {keyCount} keys against {sightingCount} sightings on {threads} thread(s)");
        error.WriteLine("generating keys and log…");
        var keys = new ExportedKey[keyCount];
        Span<byte> tek = stackalloc byte[TemporaryExposureKey.Length];
        for (var i = 0; i < keyCount; i++)
        {
            random.NextBytes(tek);
            keys[i] = new ExportedKey(new TemporaryExposureKey(tek, day), ReportType.ConfirmedTest, 0);
        }

        var log = new ScanInstance[sightingCount];
        for (var i = 0; i < sightingCount; i++)
        {
            var heard = day.StartTime.AddSeconds(random.Next(86_400));
            log[i] = new ScanInstance(new RollingProximityIdentifier((ulong)random.NextInt64() << 1, (ulong)random.NextInt64()), new AssociatedEncryptedMetadata((uint)random.Next()), heard.ToUnixTimeMilliseconds(), 55, 50, 240, i);
        }

        // Planted keys: one of their RPIs replaces a random sighting, heard during its own interval.
        var plantedKeys = Enumerable.Range(0, keyCount).OrderBy(_ => random.Next()).Take(plantedCount).ToHashSet();
        var slots = Enumerable.Range(0, sightingCount).OrderBy(_ => random.Next()).Take(plantedCount).ToArray();
        var slot = 0;
        foreach (var k in plantedKeys)
        {
            var interval = day + random.Next(IntervalNumber.PerDay);
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(keys[k].Key.KeyData), interval);
            var aem = KeySchedule.EncryptMetadata(KeySchedule.DeriveAssociatedEncryptedMetadataKey(keys[k].Key.KeyData), rpi, AdvertisementMetadata.ForTxPower(-24).ToArray());
            log[slots[slot++]] = new ScanInstance(rpi, aem, interval.StartTime.AddSeconds(60).ToUnixTimeMilliseconds(), 55, 50, 240, -1);
        }

        var buildClock = Stopwatch.StartNew();
        var sightingLog = SightingLog.Build(log);
        buildClock.Stop();
        error.WriteLine($"index built in {buildClock.ElapsedMilliseconds} ms ({sightingLog.Index.SizeInBytes / 1048576.0:0.0} MiB); warming up…");

        var matcher = new ExposureMatcher();
        var warmKeys = keys.AsSpan(0, Math.Min(keyCount, 4096)).ToArray();
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < WarmUp)
        {
            matcher.Match(warmKeys, sightingLog, threads);
        }

        error.WriteLine("matching…");
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var windows = matcher.Match(keys, sightingLog, threads);
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var found = windows.Select(w => w.KeyIndex).Distinct().Count(plantedKeys.Contains);
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine($"keys: {keyCount}");
        output.WriteLine($"sightings: {sightingCount} ({sightingLog.DistinctIdentifiers} distinct RPIs, index {(sightingLog.Index.SizeInBytes / 1048576.0).ToString("0.0", invariant)} MiB, built in {buildClock.ElapsedMilliseconds} ms)");
        output.WriteLine($"threads: {threads}");
        output.WriteLine($"implementation: {RollingProximityIdentifierGenerator.Implementation}");
        output.WriteLine($"elapsed: {clock.Elapsed.TotalMilliseconds.ToString("0.0", invariant)} ms");
        var perCpuSecond = cpu > TimeSpan.Zero ? ((long)(keyCount / cpu.TotalSeconds)).ToString(invariant) : "n/a";
        output.WriteLine($"cpu: {cpu.TotalMilliseconds.ToString("0.0", invariant)} ms ({perCpuSecond} keys per CPU-second)");
        output.WriteLine($"windows: {windows.Count}, keys matched: {windows.Select(w => w.KeyIndex).Distinct().Count()}");
        output.WriteLine($"planted {plantedCount}, found {found}");
        output.WriteLine($"match: {((long)(keyCount / clock.Elapsed.TotalSeconds)).ToString(invariant)} keys/s");
    }
}

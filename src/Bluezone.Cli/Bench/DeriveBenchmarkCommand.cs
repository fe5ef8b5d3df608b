using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Cli.Bench;

/// <summary>
/// <c>bluezone bench derive</c>: how many published keys per second this machine turns into their RPIK
/// and all 144 identifiers of the day — the work matching does for every downloaded key.
/// </summary>
internal static class DeriveBenchmarkCommand
{
    /// <summary>
    /// Keys per call. The 144 identifiers of 256 keys take 576 KiB, which stays in a core's L2 cache the
    /// way a matcher's working buffer would; a larger chunk would measure memory bandwidth instead.
    /// </summary>
    private const int ChunkKeys = 256;

    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var keys = new Option<int>("--keys") { Description = "Number of random keys to derive.", DefaultValueFactory = _ => 2_000_000 };
        var threads = new Option<int>("--threads") { Description = "Threads to split the keys over.", DefaultValueFactory = _ => 1 };
        var command = new Command("derive", "Derive RPIK and all 144 RPIs of N random keys; the last line is 'derive: N keys/s'.") { keys, threads };
        command.SetAction((parse, output) =>
        {
            var keyCount = parse.GetValue(keys);
            var threadCount = parse.GetValue(threads);
            if (keyCount is < 1 or > 20_000_000)
            {
                throw new ArgumentException($"--keys must be 1–20000000, not {keyCount}");
            }

            if (threadCount < 1 || threadCount > Environment.ProcessorCount * 4)
            {
                throw new ArgumentException($"--threads must be 1–{Environment.ProcessorCount * 4}, not {threadCount}");
            }

            Run(keyCount, threadCount, output, parse.InvocationConfiguration.Error);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Run(int keyCount, int threadCount, TextWriter output, TextWriter error)
    {
        var teks = new byte[keyCount * TemporaryExposureKey.Length];
        RandomNumberGenerator.Fill(teks);
        var day = IntervalNumber.FromTime(TimeProvider.System.GetUtcNow()).DayStart;
        var starts = new IntervalNumber[ChunkKeys];
        Array.Fill(starts, day);

        error.WriteLine($"bench derive: {keyCount} keys on {threadCount} thread(s), {RollingProximityIdentifierGenerator.Implementation}");
        error.WriteLine($"warming up for {WarmUp.TotalMilliseconds:0} ms…");
        WarmUpGenerator(teks, starts);

        var workers = new Worker[threadCount];
        var perThread = keyCount / threadCount;
        for (var t = 0; t < threadCount; t++)
        {
            var first = t * perThread;
            var count = t == threadCount - 1 ? keyCount - first : perThread;
            workers[t] = new Worker(teks.AsMemory(first * TemporaryExposureKey.Length, count * TemporaryExposureKey.Length), starts, t == 0 ? error : null);
        }

        // All threads wait at the barrier so the clock starts when every one of them is ready.
        using var barrier = new Barrier(threadCount + 1);
        var running = workers.Select(w => new Thread(() =>
        {
            barrier.SignalAndWait();
            w.Run();
        }) { IsBackground = true, Name = "bench derive" }).ToList();
        running.ForEach(t => t.Start());
        using var process = Process.GetCurrentProcess();
        barrier.SignalAndWait();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        running.ForEach(t => t.Join());
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var checksum = workers.Aggregate(0UL, (sum, w) => sum ^ w.Checksum);
        var keysPerSecond = (long)(keyCount / clock.Elapsed.TotalSeconds);
        output.WriteLine($"keys: {keyCount}");
        output.WriteLine($"threads: {threadCount}");
        output.WriteLine($"implementation: {RollingProximityIdentifierGenerator.Implementation}");
        output.WriteLine($"elapsed: {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms");
        // On a shared machine the wall clock also counts time the threads waited for a core; CPU time does not.
        var perCpuSecond = cpu > TimeSpan.Zero ? ((long)(keyCount / cpu.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : "n/a";
        output.WriteLine($"cpu: {cpu.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms ({perCpuSecond} keys per CPU-second)");
        var fastest = workers.Min(w => w.FastestChunk);
        if (fastest != TimeSpan.MaxValue)
        {
            output.WriteLine($"peak: {(long)(ChunkKeys / fastest.TotalSeconds)} keys/s per thread (fastest chunk of {ChunkKeys} keys)");
        }

        output.WriteLine($"per key: {(clock.Elapsed.TotalMilliseconds * 1_000_000 / keyCount).ToString("0", CultureInfo.InvariantCulture)} ns (RPIK + {IntervalNumber.PerDay} RPIs)");
        output.WriteLine($"identifiers: {(long)keyCount * IntervalNumber.PerDay} ({(keyCount * (double)IntervalNumber.PerDay / clock.Elapsed.TotalSeconds / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} M/s)");
        output.WriteLine($"checksum: {checksum:x16}");
        output.WriteLine($"derive: {keysPerSecond.ToString(CultureInfo.InvariantCulture)} keys/s");
    }

    /// <summary>Runs the generator long enough for tiered compilation to replace it with optimised code.</summary>
    private static void WarmUpGenerator(byte[] teks, IntervalNumber[] starts)
    {
        var keys = Math.Min(ChunkKeys, teks.Length / TemporaryExposureKey.Length);
        var destination = new RollingProximityIdentifier[keys * IntervalNumber.PerDay];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WarmUp)
        {
            RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(
                teks.AsSpan(0, keys * TemporaryExposureKey.Length), starts.AsSpan(0, keys), destination);
        }
    }

    /// <summary>One thread's share of the keys, with its own output buffer.</summary>
    private sealed class Worker(ReadOnlyMemory<byte> teks, IntervalNumber[] starts, TextWriter? progress)
    {
        public ulong Checksum { get; private set; }

        /// <summary>Shortest time one full chunk took: what a core does when nothing else runs on it.</summary>
        public TimeSpan FastestChunk { get; private set; } = TimeSpan.MaxValue;

        public void Run()
        {
            var destination = new RollingProximityIdentifier[ChunkKeys * IntervalNumber.PerDay];
            var keyCount = teks.Length / TemporaryExposureKey.Length;
            var nextReport = keyCount / 4;
            var checksum = 0UL;
            for (var done = 0; done < keyCount; done += ChunkKeys)
            {
                var count = Math.Min(ChunkKeys, keyCount - done);
                var rpis = destination.AsSpan(0, count * IntervalNumber.PerDay);
                var chunkStart = Stopwatch.GetTimestamp();
                RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(
                    teks.Span.Slice(done * TemporaryExposureKey.Length, count * TemporaryExposureKey.Length), starts.AsSpan(0, count), rpis);
                var chunkTime = Stopwatch.GetElapsedTime(chunkStart);
                if (count == ChunkKeys && chunkTime < FastestChunk)
                {
                    FastestChunk = chunkTime;
                }

                // Reading every identifier back keeps the work observable, as a matcher consuming them would.
                checksum ^= Fold(rpis);
                if (progress is not null && done + count >= nextReport && nextReport > 0)
                {
                    progress.WriteLine($"  {(done + count) * 100L / keyCount}% of thread 0's keys");
                    nextReport += keyCount / 4;
                }
            }

            Checksum = checksum;
        }

        private static ulong Fold(Span<RollingProximityIdentifier> rpis)
        {
            var words = MemoryMarshal.Cast<RollingProximityIdentifier, ulong>(rpis);
            var acc = System.Numerics.Vector<ulong>.Zero;
            var vectors = MemoryMarshal.Cast<ulong, System.Numerics.Vector<ulong>>(words);
            foreach (var v in vectors)
            {
                acc ^= v;
            }

            var result = 0UL;
            for (var i = 0; i < System.Numerics.Vector<ulong>.Count; i++)
            {
                result ^= acc[i];
            }

            for (var i = vectors.Length * System.Numerics.Vector<ulong>.Count; i < words.Length; i++)
            {
                result ^= words[i];
            }

            return result;
        }
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Cli.Bench;

/// <summary>
/// <c>bluezone bench ingest</c>: sustained ingest of sightings through the real sighting pipeline into the real
/// SQLite store. The stream is a busy phone (by default 2,000 encounters a day for 14 days, background scans of
/// 4 s every 255 s, real RPIs and AEMs from the key schedule, non-Bluezone devices around), generated before
/// the clock starts. It also reports the memory the core held, which must not grow with the days.
/// </summary>
internal static class IngestBenchmarkCommand
{
    private const long ScanPeriodMs = 255_000;
    private const int SightingsPerPhonePerScan = 16; // 4 s scan, advertising every 250 ms
    private const int OtherDevicesPerScan = 8;
    private const int SightingsPerOtherDevicePerScan = 4;

    public static Command Create()
    {
        var sightings = new Option<long?>("--sightings") { Description = "Sightings to ingest (default: all of a 14-day log of a busy phone)." };
        var perDay = new Option<int>("--encounters-per-day") { Description = "Encounters a day in the generated log.", DefaultValueFactory = _ => 2000 };
        var keep = new Option<DirectoryInfo?>("--data") { Description = "Keep the store in this directory (default: a temporary directory, deleted)." };
        var command = new Command("ingest", "Sustained ingest of sightings into the device's SQLite store; last line 'ingest: N sightings/s'.") { sightings, perDay, keep };
        command.SetAction((parse, output) =>
        {
            var limit = parse.GetValue(sightings);
            if (limit is < 1 or > 100_000_000)
            {
                throw new ArgumentException($"--sightings must be 1–100000000, not {limit}");
            }

            var encountersPerDay = parse.GetValue(perDay);
            if (encountersPerDay is < 1 or > 100_000)
            {
                throw new ArgumentException($"--encounters-per-day must be 1–100000, not {encountersPerDay}");
            }

            var stream = BusyPhone.Generate(encountersPerDay, days: limit is null ? 14 : int.MaxValue, limit ?? long.MaxValue);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"log: {stream.Count:N0} sightings over {stream.Days:F1} days, {stream.Encounters:N0} encounters ({encountersPerDay}/day), {stream.Payloads.Count:N0} distinct RPIs"));

            var directory = parse.GetValue(keep)?.FullName;
            var temporary = directory is null;
            directory ??= Directory.CreateTempSubdirectory("bluezone-bench-ingest-").FullName;
            try
            {
                Run(stream, directory, output);
            }
            finally
            {
                if (temporary)
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void Run(BusyPhone stream, string directory, TextWriter output)
    {
        using var store = DeviceStore.Open(directory, "bench");
        var processor = new SightingProcessor(store, CalibrationTable.Defaults.Global);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakHeap = 0, peakTracks = 0;
        var sampleEvery = Math.Max(1, stream.Count / 64);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < stream.Count; i++)
        {
            var advertisement = new ReceivedAdvertisement(
                DateTimeOffset.FromUnixTimeMilliseconds(stream.Times[i]),
                new BluetoothAddress(stream.Addresses[i]),
                stream.Rssi[i],
                stream.Payloads[stream.PayloadIndex[i]]);
            processor.Ingest(advertisement);
            if (i % sampleEvery == 0)
            {
                // Live heap after a full collection, at 64 points of the run; the pause is not timed.
                stopwatch.Stop();
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                peakTracks = Math.Max(peakTracks, processor.ActiveTracks);
                stopwatch.Start();
            }
        }

        processor.Complete();
        store.Flush();
        stopwatch.Stop();
        var retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        var rows = store.CountRows();
        var rate = stream.Count / stopwatch.Elapsed.TotalSeconds;
        var fileBytes = new FileInfo(store.DatabasePath).Length + (File.Exists(store.DatabasePath + "-wal") ? new FileInfo(store.DatabasePath + "-wal").Length : 0);
        var history = store.History(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(stream.Times[stream.Count / 2]).UtcDateTime));
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"stored: {rows.ScanInstances:N0} scan instances, {rows.Encounters:N0} encounter-days, {rows.Scans:N0} scans; file {fileBytes / 1048576.0:F1} MiB"));
        output.WriteLine(string.Create(invariant, $"sample day {history.Date:yyyy-MM-dd}: {history.Encounters} encounters from {history.DistinctRpis} RPIs, {history.Close.Bluezoners} close"));
        output.WriteLine(string.Create(invariant, $"memory: core state peak {peakTracks:N0} entries; live managed heap growth peak {peakHeap / 1048576.0:F2} MiB, after ingest {retained / 1048576.0:F2} MiB; process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB (includes the {stream.MemoryBytes / 1048576.0:F0} MiB generated log)"));
        output.WriteLine(string.Create(invariant, $"time: {stopwatch.Elapsed.TotalSeconds:F2} s"));
        output.WriteLine(string.Create(invariant, $"ingest: {rate:F0} sightings/s"));
    }

    /// <summary>A generated scan log of a busy phone, in compact arrays (generated before timing starts).</summary>
    private sealed class BusyPhone
    {
        public long[] Times { get; private set; } = [];

        public ulong[] Addresses { get; private set; } = [];

        public sbyte[] Rssi { get; private set; } = [];

        public int[] PayloadIndex { get; private set; } = [];

        public List<byte[]> Payloads { get; } = [];

        public int Count { get; private set; }

        public double Days { get; private set; }

        public int Encounters { get; private set; }

        public long MemoryBytes => Count * 21L;

        public static BusyPhone Generate(int encountersPerDay, int days, long limit)
        {
            var random = new Random(20261126);
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var result = new BusyPhone();
            var capacity = (int)Math.Min(limit, Math.Min((long)days, 40) * (86_400_000 / ScanPeriodMs) * ((encountersPerDay * 20 / 1440 * SightingsPerPhonePerScan) + 64) * 12 / 10);
            result.Grow(Math.Max(capacity, 1024));

            // Encounters arrive uniformly over each day; each lasts 1–120 min (mean about 20) at its own distance.
            var phones = new List<Phone>();
            var nextPhone = 0;
            var payloadOf = new Dictionary<(int Phone, int Interval), int>();
            var end = days == int.MaxValue ? long.MaxValue : start + (days * 86_400_000L);
            var arrivals = new PriorityQueue<Phone, long>();
            var scheduledDays = 0L;
            for (var scanStart = start; scanStart < end && result.Count < limit; scanStart += ScanPeriodMs)
            {
                // Schedule the arrivals of each new day.
                var day = (scanStart - start) / 86_400_000;
                if (day >= scheduledDays)
                {
                    scheduledDays = day + 1;
                    var dayStart = start + (day * 86_400_000);
                    for (var e = 0; e < encountersPerDay; e++)
                    {
                        var arrive = dayStart + random.NextInt64(86_400_000);
                        var minutes = Math.Clamp(-20 * Math.Log(1 - random.NextDouble()), 1, 120);
                        arrivals.Enqueue(new Phone(nextPhone++, arrive, arrive + (long)(minutes * 60_000), 35 + random.Next(55), random.Next(120_000), random.Next(250)), arrive);
                    }

                    result.Encounters += encountersPerDay;
                }

                while (arrivals.TryPeek(out var phone, out var arrive) && arrive <= scanStart + 4000)
                {
                    arrivals.Dequeue();
                    phones.Add(phone);
                }

                phones.RemoveAll(p => p.Leave < scanStart);
                for (var j = 0; j < SightingsPerPhonePerScan && result.Count < limit; j++)
                {
                    foreach (var phone in phones)
                    {
                        var t = scanStart + (j * 250) + phone.Jitter;
                        var interval = (int)((t - phone.RotationOffsetMs) / 600_000);
                        if (!payloadOf.TryGetValue((phone.Id, interval), out var index))
                        {
                            index = result.Payloads.Count;
                            result.Payloads.Add(Advertise(phone, interval));
                            payloadOf[(phone.Id, interval)] = index;
                        }

                        var address = 0x1000_0000_0000UL | ((ulong)(uint)phone.Id << 16) | (uint)(interval & 0xFFFF);
                        result.Add(t, address, (sbyte)Math.Clamp(-24 + 4 - phone.Attenuation + random.Next(-3, 4), -127, 20), index, limit);
                    }

                    if (j % 4 == 0)
                    {
                        for (var o = 0; o < OtherDevicesPerScan / SightingsPerOtherDevicePerScan * SightingsPerOtherDevicePerScan; o++)
                        {
                            var t = scanStart + (j * 250) + o;
                            result.Add(t, 0x2000_0000_0000UL | (ulong)((scanStart / 900_000) << 8) | (uint)o, (sbyte)(-60 - (o * 4)), OtherPayload(result), limit);
                        }
                    }
                }

                if (payloadOf.Count > 50_000)
                {
                    foreach (var key in payloadOf.Keys.Where(k => k.Interval < (scanStart / 600_000) - 2).ToArray())
                    {
                        payloadOf.Remove(key);
                    }
                }

                result.Days = (scanStart - start + ScanPeriodMs) / 86_400_000.0;
            }

            return result;
        }

        private int _otherPayload = -1;

        private static int OtherPayload(BusyPhone result)
        {
            if (result._otherPayload < 0)
            {
                // An ordinary non-Bluezone advertisement: flags and a manufacturer-specific structure.
                result._otherPayload = result.Payloads.Count;
                result.Payloads.Add(Convert.FromHexString("0201060AFF4C001005031C2B3D4E"));
            }

            return result._otherPayload;
        }

        private static byte[] Advertise(Phone phone, int interval)
        {
            var key = phone.KeyFor(new IntervalNumber(interval));
            var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key.KeyData);
            var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.KeyData);
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, new IntervalNumber(interval));
            var aem = KeySchedule.EncryptMetadata(aemk, rpi, AdvertisementMetadata.ForTxPower(-24).ToArray());
            return new BluezoneAdvertisement(rpi, aem).ToArray();
        }

        private void Add(long time, ulong address, sbyte rssi, int payload, long limit)
        {
            if (Count >= limit)
            {
                return;
            }

            if (Count == Times.Length)
            {
                Grow(Times.Length * 2);
            }

            Times[Count] = time;
            Addresses[Count] = address;
            Rssi[Count] = rssi;
            PayloadIndex[Count] = payload;
            Count++;
        }

        private void Grow(int size)
        {
            Times = Resize(Times, size);
            Addresses = Resize(Addresses, size);
            Rssi = Resize(Rssi, size);
            PayloadIndex = Resize(PayloadIndex, size);
        }

        private static T[] Resize<T>(T[] array, int size)
        {
            Array.Resize(ref array, size);
            return array;
        }
    }

    private sealed class Phone(int id, long arrive, long leave, int attenuation, int rotationOffsetMs, int jitter)
    {
        private TemporaryExposureKey? _key;

        public int Id { get; } = id;

        public long Arrive { get; } = arrive;

        public long Leave { get; } = leave;

        public int Attenuation { get; } = attenuation;

        public int RotationOffsetMs { get; } = rotationOffsetMs;

        public int Jitter { get; } = jitter;

        public TemporaryExposureKey KeyFor(IntervalNumber interval)
        {
            if (_key is null || !_key.Covers(interval))
            {
                _key = TemporaryExposureKey.Generate(interval);
            }

            return _key;
        }
    }
}

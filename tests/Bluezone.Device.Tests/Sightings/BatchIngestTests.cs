using Bluezone.Device.Encounters;
using Bluezone.Device.History;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Tests.Sightings;

/// <summary>
/// Batches take the runs of one sender in one go (one parse, one lookup, one live-view update per run); what
/// they leave behind must be exactly what the same sightings leave one by one.
/// </summary>
public sealed class BatchIngestTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 23, 40, 0, TimeSpan.Zero); // crosses midnight

    [Theory]
    [InlineData(1, 12)]
    [InlineData(2, 12)]
    [InlineData(3, 12)]
    [InlineData(4, 12)]
    [InlineData(5, 60)] // crowded: scans with more RPIs than a look along the list serves
    public void Batches_record_the_same_scans_encounters_and_live_view_as_one_by_one(int seed, int senders)
    {
        var batches = RandomBatches(seed, senders);
        var oneByOne = new Run();
        var batched = new Run();
        var checkpoints = 0;
        foreach (var batch in batches)
        {
            foreach (var advertisement in batch)
            {
                oneByOne.Processor.Ingest(advertisement);
            }

            batched.Processor.Ingest(batch);

            // The live view and the open state after every batch, not only at the end.
            var now = batch[^1].Time;
            Assert.Equal(oneByOne.Processor.ActiveTracks, batched.Processor.ActiveTracks);
            Assert.Equal(oneByOne.Processor.ScanCloseDue, batched.Processor.ScanCloseDue);
            Assert.Equal(Describe(oneByOne.Processor.Live(now)), Describe(batched.Processor.Live(now)));
            checkpoints++;
        }

        oneByOne.Processor.Complete();
        batched.Processor.Complete();

        Assert.True(checkpoints > 100);
        Assert.True(oneByOne.Log.Scans.Count > 50, $"{oneByOne.Log.Scans.Count} scans");
        Assert.Contains(oneByOne.Log.Scans, s => s.OtherDevices > 0);
        Assert.Contains(oneByOne.Log.Instances, i => i.SecondsSinceLastScan < 30); // scans cut inside a batch
        Assert.True(senders < 20 || oneByOne.Log.Scans.Any(s => s.BluezoneRpis > 16));

        // One instance per RPI and scan, however many the scan heard.
        Assert.All(oneByOne.Log.Instances.GroupBy(i => (i.ScanStartUnixMs, i.Rpi)), g => Assert.Single(g));
        Assert.Equal(oneByOne.Log.Scans.Sum(s => s.BluezoneRpis), oneByOne.Log.Instances.Count);
        Assert.Equal(oneByOne.Log.Scans, batched.Log.Scans);
        Assert.Equal(oneByOne.Log.Instances, batched.Log.Instances);
        Assert.Equal(oneByOne.Log.Encounters, batched.Log.Encounters);
    }

    [Fact]
    public void A_batch_that_spans_a_scan_gap_is_two_scans()
    {
        var payload = new BluezoneAdvertisement(RollingProximityIdentifier.FromBytes(new byte[16]), AssociatedEncryptedMetadata.FromBytes(new byte[4])).ToArray();
        var address = new BluetoothAddress(0x12_3456);
        var run = new Run();
        run.Processor.Ingest(
        [
            new ReceivedAdvertisement(Start, address, -70, payload),
            new ReceivedAdvertisement(Start.AddSeconds(1), address, -80, payload),
            new ReceivedAdvertisement(Start.AddSeconds(40), address, -60, payload),
        ]);
        run.Processor.Complete();

        Assert.Equal(2, run.Log.Scans.Count);
        Assert.Equal(2, run.Log.Instances.Count);
        var first = run.Log.Instances[0];
        var second = run.Log.Instances[1];

        // −24 dBm default tx, −4 dB correction of the global average: attenuation = −20 − RSSI.
        Assert.Equal(((byte)55, (byte)50), (first.TypicalAttenuation, first.MinAttenuation));
        Assert.Equal(((byte)40, (byte)40), (second.TypicalAttenuation, second.MinAttenuation));
        Assert.Equal(first.EncounterId, second.EncounterId);
    }

    private static string Describe(LiveSnapshot live) =>
        $"{live.Devices}/{live.Bluezoners}/{live.Near}/{live.Around}: " + string.Join(' ', live.List.Select(d => $"{d.IsBluezoner}:{d.Attenuation}@{d.LastHeard.ToUnixTimeMilliseconds()}"));

    /// <summary>
    /// Scans of senders each handing over a batch, as the simulator does, with what makes batches hard: a sender
    /// rotating (new payload and address) or replaying its payload from a fresh buffer mid-batch, batches that
    /// run past the scan gap or the longest scan, non-Bluezone advertisers, and equal and slightly late times.
    /// </summary>
    private static List<ReceivedAdvertisement[]> RandomBatches(int seed, int count)
    {
        var random = new Random(seed);
        var senders = Enumerable.Range(0, count).Select(i => new Sender(random, isBluezone: i % 3 != 0)).ToArray();
        var batches = new List<ReceivedAdvertisement[]>();
        var time = Start;
        for (var scan = 0; scan < 150; scan++)
        {
            time += TimeSpan.FromSeconds(random.Next(4) switch { 0 => 4, 1 => random.Next(20, 30), _ => random.Next(200, 300) });
            foreach (var sender in senders.Where(_ => random.Next(3) > 0))
            {
                var batch = new List<ReceivedAdvertisement>();
                var t = time + TimeSpan.FromMilliseconds(random.Next(250));
                var length = random.Next(1, 20);
                for (var k = 0; k < length; k++)
                {
                    switch (random.Next(30))
                    {
                        case 0:
                            sender.Rotate(random);
                            break;
                        case 1:
                            t += TimeSpan.FromSeconds(random.Next(20, 40)); // a gap or a too-long scan inside the batch
                            break;
                        case 2:
                            t -= TimeSpan.FromMilliseconds(300); // a little late
                            break;
                        case 3:
                            break; // the same time again
                        default:
                            t += TimeSpan.FromMilliseconds(250);
                            break;
                    }

                    var payload = random.Next(10) == 0 ? (byte[])sender.Payload.Clone() : sender.Payload;
                    batch.Add(new ReceivedAdvertisement(t, sender.Address, sender.Rssi + random.Next(-6, 7), payload));
                }

                batches.Add([.. batch]);
            }
        }

        return batches;
    }

    private sealed class Sender
    {
        private static readonly byte[] OtherPayload = Convert.FromHexString("0201060AFF4C001005031C2B3D4E");

        public Sender(Random random, bool isBluezone)
        {
            IsBluezone = isBluezone;
            Rssi = random.Next(-95, -40);
            Rotate(random);
        }

        public bool IsBluezone { get; }

        public int Rssi { get; }

        public byte[] Payload { get; private set; } = [];

        public BluetoothAddress Address { get; private set; }

        public void Rotate(Random random)
        {
            Address = new BluetoothAddress((ulong)random.NextInt64(1, 1L << 46));
            if (IsBluezone)
            {
                var bytes = new byte[20];
                random.NextBytes(bytes);
                Payload = new BluezoneAdvertisement(RollingProximityIdentifier.FromBytes(bytes.AsSpan(0, 16)), AssociatedEncryptedMetadata.FromBytes(bytes.AsSpan(16))).ToArray();
            }
            else
            {
                Payload = OtherPayload;
            }
        }
    }

    private sealed class Run
    {
        public Run() => Processor = new SightingProcessor(Log, CalibrationTable.Defaults.Global);

        public RecordedScans Log { get; } = new();

        public SightingProcessor Processor { get; }
    }

    /// <summary>Everything the processor hands over, in order.</summary>
    private sealed class RecordedScans : IContactLog
    {
        public List<ScanSummary> Scans { get; } = [];

        public List<ScanInstance> Instances { get; } = [];

        public List<EncounterDay> Encounters { get; } = [];

        public long NextEncounterId => 1;

        public void Record(in ScanSummary scan, ReadOnlySpan<ScanInstance> instances, ReadOnlySpan<EncounterDay> encounters)
        {
            Scans.Add(scan);
            Instances.AddRange(instances);
            Encounters.AddRange(encounters);
        }
    }
}

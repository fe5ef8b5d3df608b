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
        var columns = new Run();
        var checkpoints = 0;
        foreach (var batch in batches)
        {
            foreach (var advertisement in batch)
            {
                oneByOne.Processor.Ingest(advertisement);
            }

            batched.Processor.Ingest(batch);
            IngestAsColumns(columns.Processor, batch);

            // The live view and the open state after every batch, not only at the end.
            // (Asking for the live view forgets what expired, so each run is asked once.)
            var now = batch[^1].Time;
            var expected = (oneByOne.Processor.ActiveTracks, oneByOne.Processor.ScanCloseDue, Describe(oneByOne.Processor.Live(now)));
            Assert.Equal(expected, (batched.Processor.ActiveTracks, batched.Processor.ScanCloseDue, Describe(batched.Processor.Live(now))));
            Assert.Equal(expected, (columns.Processor.ActiveTracks, columns.Processor.ScanCloseDue, Describe(columns.Processor.Live(now))));
            checkpoints++;
        }

        oneByOne.Processor.Complete();
        batched.Processor.Complete();
        columns.Processor.Complete();

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
        Assert.Equal(oneByOne.Log.Scans, columns.Log.Scans);
        Assert.Equal(oneByOne.Log.Instances, columns.Log.Instances);
        Assert.Equal(oneByOne.Log.Encounters, columns.Log.Encounters);
    }

    [Theory]
    [InlineData(6, 12)]
    [InlineData(7, 60)]
    public void Without_the_live_view_the_same_scans_and_encounters_are_recorded(int seed, int senders)
    {
        var withView = new Run();
        var without = new Run(liveView: false);
        foreach (var batch in RandomBatches(seed, senders))
        {
            IngestAsColumns(withView.Processor, batch);
            IngestAsColumns(without.Processor, batch);
            Assert.Equal(withView.Processor.ScanCloseDue, without.Processor.ScanCloseDue);
        }

        withView.Processor.Complete();
        without.Processor.Complete();

        Assert.True(withView.Log.Scans.Count > 50, $"{withView.Log.Scans.Count} scans");
        Assert.Equal(withView.Log.Scans, without.Log.Scans);
        Assert.Equal(withView.Log.Instances, without.Log.Instances);
        Assert.Equal(withView.Log.Encounters, without.Log.Encounters);
        Assert.Throws<InvalidOperationException>(() => without.Processor.Live(Start));
    }

    [Fact]
    public void Columns_that_do_not_match_or_times_out_of_range_are_refused_and_change_nothing()
    {
        var payload = new BluezoneAdvertisement(RollingProximityIdentifier.FromBytes(new byte[16]), AssociatedEncryptedMetadata.FromBytes(new byte[4])).ToArray();
        var address = new BluetoothAddress(0x12_3456);
        var run = new Run();
        var ticks = Start.UtcTicks;

        Assert.Throws<ArgumentException>(() => run.Processor.Ingest(address, payload, [ticks, ticks + 1], [-70]));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Processor.Ingest(address, payload, [ticks, -1], [-70, -70]));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Processor.Ingest(address, payload, [ticks, DateTimeOffset.MaxValue.UtcTicks + 1], [-70, -70]));
        run.Processor.Ingest(address, payload, [], []);

        Assert.Null(run.Processor.ScanCloseDue);
        Assert.Equal(0, run.Processor.Live(Start).Devices);
        run.Processor.Complete();
        Assert.Empty(run.Log.Scans);
    }

    [Fact]
    public void A_receiver_that_takes_advertisements_one_by_one_gets_columns_as_advertisements()
    {
        var payload = new byte[] { 2, 1, 6 };
        var address = new BluetoothAddress(0xABCDEF);
        var receiver = new OneByOneReceiver();
        var radio = new InMemoryRadio();

        Assert.False(radio.Deliver(address, payload, [Start.UtcTicks], [-60])); // not scanning: nothing heard
        radio.StartScanning(receiver);
        Assert.True(radio.Deliver(address, payload, [Start.UtcTicks, Start.AddMilliseconds(250).UtcTicks], [-60, -65]));

        Assert.Equal(2, receiver.Heard.Count);
        Assert.Equal((Start, address, -60), (receiver.Heard[0].Time, receiver.Heard[0].Address, receiver.Heard[0].Rssi));
        Assert.Equal((Start.AddMilliseconds(250), -65), (receiver.Heard[1].Time, receiver.Heard[1].Rssi));
        Assert.Equal(payload, receiver.Heard[1].Payload.ToArray());
    }

    /// <summary>Hands a batch to <paramref name="processor"/> as the simulator does: one call per run of one address and payload.</summary>
    private static void IngestAsColumns(SightingProcessor processor, ReceivedAdvertisement[] batch)
    {
        var start = 0;
        while (start < batch.Length)
        {
            var end = start + 1;
            while (end < batch.Length && batch[end].Address == batch[start].Address && batch[end].Payload.Span.SequenceEqual(batch[start].Payload.Span))
            {
                end++;
            }

            var run = batch[start..end];
            processor.Ingest(batch[start].Address, batch[start].Payload.Span, run.Select(a => a.Time.UtcTicks).ToArray(), run.Select(a => a.Rssi).ToArray());
            start = end;
        }
    }

    private sealed class OneByOneReceiver : IAdvertisementReceiver
    {
        public List<ReceivedAdvertisement> Heard { get; } = [];

        public void OnAdvertisement(in ReceivedAdvertisement advertisement) => Heard.Add(advertisement);
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
        public Run(bool liveView = true) => Processor = new SightingProcessor(Log, CalibrationTable.Defaults.Global, new SightingOptions { LiveView = liveView });

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

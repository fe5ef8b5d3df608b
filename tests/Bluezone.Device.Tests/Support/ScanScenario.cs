using System.Globalization;
using System.Text;
using Bluezone.Device.Radio;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Tests.Support;

/// <summary>
/// A scripted surrounding with known truth: Bluezone phones (real TEKs, RPIs and AEMs from the key schedule,
/// rotating at interval boundaries plus their own offset) and other advertisers, heard by a phone that scans
/// for <see cref="ScanWindow"/> every <see cref="ScanPeriod"/>. RSSI is chosen so that, with the default
/// calibration (tx −24 dBm, correction −4 dB), the attenuation is the one asked for, give or take the noise.
/// </summary>
internal sealed class ScanScenario(DateTimeOffset start, int seed = 7)
{
    private readonly List<Source> _sources = [];
    private readonly Random _random = new(seed);
    private readonly SeededRandomNumberGenerator _keys = new(seed + 1);

    public TimeSpan ScanPeriod { get; set; } = TimeSpan.FromSeconds(255);

    public TimeSpan ScanWindow { get; set; } = TimeSpan.FromSeconds(4);

    public TimeSpan AdvertisingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Uniform noise of ± this many dB on each sighting's RSSI.</summary>
    public int NoiseDb { get; set; } = 2;

    public DateTimeOffset Start => start;

    /// <summary>Distinct RPIs actually broadcast while heard (filled by <see cref="Build"/>).</summary>
    public HashSet<RollingProximityIdentifier> HeardRpis { get; } = [];

    public static int RssiFor(int attenuation) => -24 + 4 - attenuation;

    public ScanScenario Phone(int attenuation, TimeSpan from, TimeSpan to, TimeSpan? rotationOffset = null)
    {
        _sources.Add(new Source(true, attenuation, start + from, start + to, rotationOffset ?? TimeSpan.Zero, (ulong)(0x100000 + _sources.Count)));
        return this;
    }

    /// <summary>A non-Bluezone advertiser (earbuds, a watch, another app's phone) whose address rotates every 15 min.</summary>
    public ScanScenario Other(int attenuation, TimeSpan from, TimeSpan to)
    {
        _sources.Add(new Source(false, attenuation, start + from, start + to, TimeSpan.Zero, (ulong)(0x200000 + _sources.Count)));
        return this;
    }

    public List<ReceivedAdvertisement> Build()
    {
        var end = _sources.Max(s => s.To);
        var sightings = new List<ReceivedAdvertisement>();
        var perScan = (int)(ScanWindow / AdvertisingInterval);
        for (var scan = start; scan <= end; scan += ScanPeriod)
        {
            for (var i = 0; i < perScan; i++)
            {
                foreach (var source in _sources)
                {
                    var t = scan + (AdvertisingInterval * i) + TimeSpan.FromMilliseconds(source.Jitter);
                    if (t < source.From || t >= source.To)
                    {
                        continue;
                    }

                    var rssi = RssiFor(source.Attenuation) + _random.Next(-NoiseDb, NoiseDb + 1);
                    sightings.Add(source.IsBluezone
                        ? new ReceivedAdvertisement(t, source.BluezoneAddress(t), rssi, Advertise(source, t))
                        : new ReceivedAdvertisement(t, new BluetoothAddress(source.AddressSeed ^ ((ulong)t.ToUnixTimeSeconds() / 900 << 24)), rssi, OtherPayload));
                }
            }
        }

        sightings.Sort((a, b) => a.Time.CompareTo(b.Time));
        return sightings;
    }

    /// <summary>The scan log form the CLI replays: <c>unix_ms,address,rssi,adv_hex</c>.</summary>
    public static string ToCsv(IEnumerable<ReceivedAdvertisement> sightings)
    {
        var csv = new StringBuilder("unix_ms,address,rssi,adv_hex\n");
        foreach (var s in sightings)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s.Time.ToUnixTimeMilliseconds()},{s.Address},{s.Rssi},{Convert.ToHexString(s.Payload.Span)}\n");
        }

        return csv.ToString();
    }

    private static readonly byte[] OtherPayload = Convert.FromHexString("0201060AFF4C001005031C2B3D4E");

    private byte[] Advertise(Source source, DateTimeOffset t)
    {
        // The RPI of interval k is on the air from the start of k plus the phone's offset.
        var interval = IntervalNumber.FromTime(t - source.RotationOffset);
        if (!source.Payloads.TryGetValue(interval.Value, out var payload))
        {
            if (source.Key is null || !source.Key.Covers(interval))
            {
                source.Key = TemporaryExposureKey.Generate(interval, _keys);
            }

            var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(source.Key.KeyData), interval);
            var aem = KeySchedule.EncryptMetadata(KeySchedule.DeriveAssociatedEncryptedMetadataKey(source.Key.KeyData), rpi, AdvertisementMetadata.ForTxPower(-24).ToArray());
            payload = new BluezoneAdvertisement(rpi, aem).ToArray();
            source.Payloads[interval.Value] = payload;
            HeardRpis.Add(rpi);
        }

        return payload;
    }

    private sealed class Source(bool isBluezone, int attenuation, DateTimeOffset from, DateTimeOffset to, TimeSpan rotationOffset, ulong addressSeed)
    {
        public bool IsBluezone { get; } = isBluezone;

        public int Attenuation { get; } = attenuation;

        public DateTimeOffset From { get; } = from;

        public DateTimeOffset To { get; } = to;

        public TimeSpan RotationOffset { get; } = rotationOffset;

        public ulong AddressSeed { get; } = addressSeed;

        public int Jitter { get; } = (int)(addressSeed % 200);

        public TemporaryExposureKey? Key { get; set; }

        public Dictionary<int, byte[]> Payloads { get; } = [];

        /// <summary>The address rotates with the RPI.</summary>
        public BluetoothAddress BluezoneAddress(DateTimeOffset t) =>
            new((AddressSeed << 24) ^ (ulong)IntervalNumber.FromTime(t - RotationOffset).Value);
    }
}

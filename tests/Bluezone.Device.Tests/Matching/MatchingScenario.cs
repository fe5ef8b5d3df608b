using Bluezone.Device.Sightings;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Tests.Matching;

/// <summary>Builds scan instances a phone would have stored after hearing a given key.</summary>
internal sealed class MatchingScenario
{
    public static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public List<ScanInstance> Log { get; } = [];

    public static ExportedKey NewKey(ReportType reportType = ReportType.ConfirmedTest, int? daysSinceOnset = 0, DateTimeOffset? day = null) =>
        new(TemporaryExposureKey.Generate(IntervalNumber.FromTime(day ?? Day)), reportType, daysSinceOnset);

    /// <summary>
    /// Scans every <paramref name="every"/> from <paramref name="from"/> for <paramref name="duration"/>, each
    /// hearing <paramref name="key"/>'s RPI of the moment (or of <paramref name="rpiTime"/> when given, for replays).
    /// </summary>
    public MatchingScenario Hear(ExportedKey key, DateTimeOffset from, TimeSpan duration, TimeSpan every, byte attenuation, sbyte txPower = -24, DateTimeOffset? rpiTime = null)
    {
        var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key.Key.KeyData);
        var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.Key.KeyData);
        for (var t = from; t < from + duration; t += every)
        {
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, IntervalNumber.FromTime(rpiTime ?? t));
            var aem = KeySchedule.EncryptMetadata(aemk, rpi, AdvertisementMetadata.ForTxPower(txPower).ToArray());
            Log.Add(new ScanInstance(rpi, aem, t.ToUnixTimeMilliseconds(), attenuation, attenuation, (int)Math.Min(300, every.TotalSeconds), 1));
        }

        return this;
    }

    /// <summary>Adds sightings of random strangers' identifiers, as a phone in a city collects.</summary>
    public MatchingScenario Noise(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            Log.Add(new ScanInstance(
                new RollingProximityIdentifier((ulong)random.NextInt64(), (ulong)random.NextInt64()),
                new AssociatedEncryptedMetadata((uint)random.Next()),
                Day.AddSeconds(random.Next(86_400)).ToUnixTimeMilliseconds(),
                50,
                48,
                240,
                2 + i));
        }

        return this;
    }
}

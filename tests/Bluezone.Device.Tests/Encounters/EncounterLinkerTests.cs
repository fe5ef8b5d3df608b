using Bluezone.Device.Encounters;
using Bluezone.Device.Encounters.Internal;
using Bluezone.Device.Proximity;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Tests.Encounters;

/// <summary>
/// The linker keeps its tracks in reused slots found through its own hash index: hours of rotations, people
/// leaving and coming back, must still link each phone's RPIs and nobody else's.
/// </summary>
public sealed class EncounterLinkerTests
{
    private const long MinuteMs = 60_000;
    private static readonly long Start = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Hours_of_rotations_keep_each_phone_in_one_encounter_and_a_return_after_the_link_window_in_a_new_one()
    {
        const int phones = 30;
        var random = new Random(7);
        var linker = new EncounterLinker(new EncounterOptions(), new ProximityOptions());
        var offsets = Enumerable.Range(0, phones).Select(_ => random.Next(0, 5 * 60_000)).ToArray();
        var rpis = new Dictionary<(int Phone, long Interval), RollingProximityIdentifier>();
        var encountersOf = Enumerable.Range(0, phones).Select(_ => new List<long>()).ToArray();
        var observations = new List<RpiObservation>();
        var instances = new List<ScanInstance>();
        var updates = new List<EncounterDay>();
        long nextId = 0;
        var maxTracks = 0;
        for (var scan = 1; scan <= 90; scan++) // six hours, a scan every four minutes
        {
            var scanStart = Start + (scan * 4 * MinuteMs);
            var away = scan is > 40 and <= 50; // the odd phones leave for 40 minutes, far longer than the link window
            observations.Clear();
            for (var phone = 0; phone < phones; phone++)
            {
                if (away && phone % 2 == 1)
                {
                    continue;
                }

                var first = scanStart + (phone * 10);
                var interval = (first - offsets[phone]) / (10 * MinuteMs); // rotates at each boundary plus its offset
                if (!rpis.TryGetValue((phone, interval), out var rpi))
                {
                    rpi = new RollingProximityIdentifier((ulong)random.NextInt64(), (ulong)random.NextInt64());
                    rpis[(phone, interval)] = rpi;
                }

                var attenuation = (byte)(10 + (phone * 8)); // 8 dB apart: never similar enough to be taken for another
                observations.Add(new RpiObservation(rpi, default, first, first + 2_000, attenuation, attenuation));
            }

            instances.Clear();
            updates.Clear();
            linker.OnScan(scan, scanStart, 240, observations, ref nextId, instances, updates);
            Assert.Equal(observations.Count, instances.Count);
            for (var i = 0; i < instances.Count; i++)
            {
                var phone = (observations[i].TypicalAttenuation - 10) / 8;
                if (encountersOf[phone].Count == 0 || encountersOf[phone][^1] != instances[i].EncounterId)
                {
                    encountersOf[phone].Add(instances[i].EncounterId);
                }
            }

            maxTracks = Math.Max(maxTracks, linker.ActiveTracks);
        }

        for (var phone = 0; phone < phones; phone++)
        {
            Assert.Equal(phone % 2 == 1 ? 2 : 1, encountersOf[phone].Count);
        }

        var ids = encountersOf.SelectMany(e => e).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Count, nextId);
        Assert.InRange(maxTracks, phones, phones * 5); // tracks older than the link window are forgotten
    }
}

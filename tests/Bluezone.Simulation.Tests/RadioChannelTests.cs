using Bluezone.Simulation.Radio;

namespace Bluezone.Simulation.Tests;

/// <summary>
/// The radio channel's shortcut: a sender the receiver cannot hear even at the least noise is skipped without
/// drawing its sightings, so it must be exactly the senders of whom no sighting would have been heard.
/// </summary>
public sealed class RadioChannelTests
{
    [Theory]
    [InlineData(2.0, -100)]
    [InlineData(0.0, -100)] // no noise: every sighting at the encounter's attenuation
    [InlineData(7.5, -90)]
    public void A_sender_that_cannot_be_heard_has_no_sighting_heard(double noiseDb, int sensitivityDbm)
    {
        var channel = new RadioChannel(new RadioOptions { SightingNoiseDb = noiseDb, SensitivityDbm = sensitivityDbm, ReceptionShare = 1 }, seed: 7);
        var random = new Random(11);
        int skipped = 0, heardAtTheEdge = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            // Around the edge of hearing, in steps finer than a dB, so that rounding at the edge is exercised.
            var attenuation = 60 + (random.Next(0, 4_000) / 100.0);
            var tx = (sbyte)random.Next(-30, -18);
            var correction = random.Next(-8, 4);

            // With a reception share of 1 a sighting is missed only when it is too weak; 20,000 sightings draw
            // about every slice of the noise.
            var anyHeard = false;
            for (var sighting = 0; sighting < 20_000 && !anyHeard; sighting++)
            {
                channel.Rssi(attenuation, tx, correction, draws: (ulong)trial, sighting, out var heard);
                anyHeard |= heard;
            }

            if (!channel.CanBeHeard(attenuation, tx, correction))
            {
                Assert.False(anyHeard, $"a sighting at {attenuation} dB was heard");
                skipped++;
            }
            else
            {
                heardAtTheEdge += anyHeard ? 1 : 0;
            }
        }

        // Both sides of the edge were tried, and the shortcut is tight: a sender it keeps is heard nearly always.
        Assert.True(skipped > 20, $"{skipped} skipped");
        Assert.True(heardAtTheEdge >= 400 - skipped - 2, $"{heardAtTheEdge} of {400 - skipped} kept were heard");
    }
}

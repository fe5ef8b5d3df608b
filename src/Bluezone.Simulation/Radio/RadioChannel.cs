using Bluezone.Simulation.World;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// What one phone's radio reports when another phone advertises nearby. Attenuation (dB, iPhone-referenced) =
/// A(1 m) + 10·n·log10(d) + carriage loss of both phones + per-encounter shadowing + per-sighting noise.
/// The receiver's RSSI is its iPhone-equivalent RSSI minus its model's correction, so the device's own
/// calibration lookup undoes exactly that bias.
/// </summary>
internal sealed class RadioChannel(RadioOptions options, int seed)
{
    /// <summary>Below this distance the model is not meant to hold (phones are never closer than 30 cm).</summary>
    private const double MinDistance = 0.3;

    public double MaxRange => options.MaxRangeMeters;

    /// <summary>Extra loss from where <paramref name="person"/> keeps the phone today (hand, pocket, bag).</summary>
    public double CarriageLoss(int person, int day)
    {
        var u = Draw.Uniform(seed, (long)Purpose.Carriage, person, day);
        return u < options.HandShare ? 0 : u < options.HandShare + options.PocketShare ? options.PocketDb : options.BagDb;
    }

    /// <summary>
    /// The mean attenuation of one encounter: path loss at <paramref name="distance"/>, both carriages, and the
    /// shadowing of this pair at this place on this day (bodies and furniture in between stay put for a while).
    /// </summary>
    /// <param name="carriageLoss">Both phones' <see cref="CarriageLoss"/> today (the caller keeps them for the day).</param>
    public double EncounterAttenuation(int a, int b, int day, int place, double distance, double carriageLoss)
    {
        var (lo, hi) = a < b ? (a, b) : (b, a);
        var shadow = options.ShadowingSigmaDb * Draw.NormalOf(Draw.Hash(seed, (long)Purpose.Shadowing, ((long)lo << 32) | (uint)hi, day, place));
        return options.AttenuationAt1m
            + (10 * options.PathLossExponent * Math.Log10(Math.Max(distance, MinDistance)))
            + carriageLoss + shadow;
    }

    /// <summary>The draws of one scan's sightings of one sender (<see cref="Rssi"/> takes them one by one).</summary>
    public ulong SightingDraws(long receiverId, long scanId, long sender) => Draw.Hash(seed, (long)Purpose.Reception, receiverId, scanId, sender);

    /// <summary>
    /// The <paramref name="sighting"/>-th sighting's RSSI as the receiver reports it, or null when the scanner
    /// missed it or it was too weak. One hash per sighting: its high bits decide reception, its low 12 bits
    /// the noise.
    /// </summary>
    public int? Rssi(double encounterAttenuation, PhoneModel sender, PhoneModel receiver, ulong draws, int sighting)
    {
        var h = Draw.Next(draws, sighting);
        if ((h >> 11) * (1.0 / (1UL << 53)) >= options.ReceptionShare)
        {
            return null;
        }

        var attenuation = encounterAttenuation + (options.SightingNoiseDb * Draw.NormalOf(h));
        var iphoneRssi = sender.TxPowerDbm - attenuation;
        var rssi = (int)Math.Round(iphoneRssi - receiver.RssiCorrection);
        return rssi < options.SensitivityDbm ? null : Math.Min(rssi, 0);
    }
}

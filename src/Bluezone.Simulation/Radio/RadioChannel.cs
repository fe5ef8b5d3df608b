using System.Runtime.CompilerServices;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// What one phone's radio reports when another phone advertises nearby. Attenuation (dB, iPhone-referenced) =
/// A(1 m) + 10·n·log10(d) + carriage loss of both phones + per-encounter shadowing + per-sighting noise.
/// The receiver's RSSI is its iPhone-equivalent RSSI minus its model's correction, so the device's own
/// calibration lookup undoes exactly that bias.
/// </summary>
internal sealed class RadioChannel
{
    /// <summary>Below this distance the model is not meant to hold (phones are never closer than 30 cm).</summary>
    private const double MinDistance = 0.3;

    private readonly RadioOptions _options;
    private readonly int _seed;

    // The options read per sighting, copied once: Rssi runs for every advertisement of every scan.
    private readonly int _sensitivityDbm;

    /// <summary>
    /// The reception share scaled to the 53 bits a uniform is drawn from: (h >> 11) · 2⁻⁵³ &lt; share exactly when
    /// (h >> 11) &lt; share · 2⁵³ (both sides are scaled by a power of two, so nothing is rounded), and, the left
    /// side being a whole number, exactly when it is below the ceiling of the right: compared as integers.
    /// </summary>
    private readonly ulong _receptionLimit;

    /// <summary>
    /// <see cref="Draw.NormalOf"/> times the sighting noise, for each of its slices: the same products, made once
    /// instead of at every sighting.
    /// </summary>
    private readonly double[] _sightingNoise;

    private readonly double _leastSightingNoise;

    private readonly ulong _receptionDraws; // Draw.Hash's mix of the seed and Purpose.Reception

    public RadioChannel(RadioOptions options, int seed)
    {
        _options = options;
        _seed = seed;
        _sensitivityDbm = options.SensitivityDbm;
        _receptionLimit = (ulong)Math.Ceiling(options.ReceptionShare * (1UL << 53));
        _sightingNoise = new double[Draw.NormalSlices];
        for (var slice = 0; slice < _sightingNoise.Length; slice++)
        {
            _sightingNoise[slice] = options.SightingNoiseDb * Draw.NormalOf((ulong)slice);
        }

        _leastSightingNoise = _sightingNoise.Min();
        _receptionDraws = Draw.Then(Draw.Start(seed), (long)Purpose.Reception);
    }

    public double MaxRange => _options.MaxRangeMeters;

    /// <summary>Extra loss from where <paramref name="person"/> keeps the phone today (hand, pocket, bag).</summary>
    public double CarriageLoss(int person, int day)
    {
        var u = Draw.Uniform(_seed, (long)Purpose.Carriage, person, day);
        return u < _options.HandShare ? 0 : u < _options.HandShare + _options.PocketShare ? _options.PocketDb : _options.BagDb;
    }

    /// <summary>
    /// The mean attenuation of one encounter: path loss at <paramref name="distance"/>, both carriages, and the
    /// shadowing of this pair at this place on this day (bodies and furniture in between stay put for a while).
    /// Symmetric in <paramref name="a"/> and <paramref name="b"/>.
    /// </summary>
    /// <param name="carriageLoss">Both phones' <see cref="CarriageLoss"/> today (the caller keeps them for the day).</param>
    public double EncounterAttenuation(int a, int b, int day, int place, double distance, double carriageLoss)
    {
        var (lo, hi) = a < b ? (a, b) : (b, a);
        var shadow = _options.ShadowingSigmaDb * Draw.NormalOf(Draw.Hash(_seed, (long)Purpose.Shadowing, ((long)lo << 32) | (uint)hi, day, place));
        return _options.AttenuationAt1m
            + (10 * _options.PathLossExponent * Math.Log10(Math.Max(distance, MinDistance)))
            + carriageLoss + shadow;
    }

    /// <summary>
    /// What the draws of one scan's sightings of every sender start from (see <see cref="SightingDraws"/>): a
    /// scan hears every phone of its place, so this part is mixed once per scan, not once per sender.
    /// </summary>
    public ulong ScanDraws(long receiverId, long scanId) => Draw.Then(Draw.Then(_receptionDraws, receiverId), scanId);

    /// <summary>
    /// The draws of one scan's sightings of one sender (<see cref="Rssi"/> takes them one by one): the same as
    /// Draw.Hash(seed, Reception, receiver, scan, sender), with <paramref name="scanDraws"/> from <see cref="ScanDraws"/>.
    /// </summary>
    public static ulong SightingDraws(ulong scanDraws, long sender) => Draw.Then(scanDraws, sender);

    /// <summary>
    /// Whether any sighting of an encounter at <paramref name="encounterAttenuation"/> can be heard: the one with
    /// the least noise is the strongest (every step of <see cref="Rssi"/> keeps the order of the noise), so if it
    /// is below the receiver's sensitivity, so is every other, and the scan hears nothing from that sender.
    /// </summary>
    public bool CanBeHeard(double encounterAttenuation, sbyte senderTxPowerDbm, int receiverRssiCorrection)
    {
        var iphoneRssi = senderTxPowerDbm - (encounterAttenuation + _leastSightingNoise);
        return (int)Math.Round(iphoneRssi - receiverRssiCorrection) >= _sensitivityDbm;
    }

    /// <summary>
    /// The <paramref name="sighting"/>-th sighting's RSSI as the receiver reports it, and whether it was heard
    /// at all (<paramref name="heard"/> false: the scanner missed it or it was too weak, and the RSSI means
    /// nothing). One hash per sighting: its high bits decide reception, its low 12 bits the noise.
    /// </summary>
    /// <remarks>
    /// The RSSI is computed even for a sighting that was missed, and nothing here or in the caller branches on
    /// whether it was heard: a quarter of the sightings are missed at random, and a branch on it was
    /// mispredicted about as often.
    /// </remarks>
    /// <param name="senderTxPowerDbm">The sender's tx power (an integer, as a double: the caller converts it once per sender).</param>
    /// <param name="receiverRssiCorrection">Likewise the receiver's RSSI correction.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Rssi(double encounterAttenuation, double senderTxPowerDbm, double receiverRssiCorrection, ulong draws, int sighting, out bool heard)
    {
        var h = Draw.Next(draws, sighting);
        var attenuation = encounterAttenuation + _sightingNoise[(int)(h & (Draw.NormalSlices - 1))];
        var iphoneRssi = senderTxPowerDbm - attenuation;

        // A rounded RSSI is a few hundred dB at most: the native conversion gives what the saturating cast
        // gives, without its checks for NaN and overflow.
        var rssi = double.ConvertToIntegerNative<int>(Math.Round(iphoneRssi - receiverRssiCorrection));
        heard = ((h >> 11) < _receptionLimit) & (rssi >= _sensitivityDbm);
        return Math.Min(rssi, 0);
    }
}

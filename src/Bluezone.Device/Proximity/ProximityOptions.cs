namespace Bluezone.Device.Proximity;

/// <summary>
/// Attenuation thresholds (dB, upper bounds, inclusive) of the buckets. The defaults are DESIGN.md §5's;
/// the server's signed configuration may replace them, so they are options and not constants.
/// </summary>
public sealed class ProximityOptions
{
    public int ImmediateMaxDb { get; set; } = 55;

    public int NearMaxDb { get; set; } = 63;

    public int MediumMaxDb { get; set; } = 73;

    public ProximityBucket BucketOf(int attenuationDb) =>
        attenuationDb <= ImmediateMaxDb ? ProximityBucket.Immediate
        : attenuationDb <= NearMaxDb ? ProximityBucket.Near
        : attenuationDb <= MediumMaxDb ? ProximityBucket.Medium
        : ProximityBucket.Other;

    /// <summary>Within about 2 m: the immediate or near bucket.</summary>
    public bool IsClose(int attenuationDb) => attenuationDb <= NearMaxDb;

    public void Validate()
    {
        if (!(ImmediateMaxDb < NearMaxDb && NearMaxDb < MediumMaxDb))
        {
            throw new ArgumentException($"Bucket thresholds must increase: immediate {ImmediateMaxDb} < near {NearMaxDb} < medium {MediumMaxDb} dB.");
        }

        if (ImmediateMaxDb < 0 || MediumMaxDb > 255)
        {
            throw new ArgumentException("Bucket thresholds must lie within 0–255 dB.");
        }
    }
}

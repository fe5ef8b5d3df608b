namespace Bluezone.Device.Proximity;

/// <summary>Attenuation buckets of DESIGN.md §5. "Close" (about 2 m) is <see cref="Immediate"/> or <see cref="Near"/>.</summary>
public enum ProximityBucket
{
    Immediate,
    Near,
    Medium,
    Other,
}

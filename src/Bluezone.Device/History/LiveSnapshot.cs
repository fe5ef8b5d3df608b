using Bluezone.Device.Proximity;

namespace Bluezone.Device.History;

/// <summary>One device on the "scan around" list. There is deliberately no address in it.</summary>
public readonly record struct NearbyDevice(bool IsBluezoner, int Attenuation, ProximityBucket Bucket, DateTimeOffset LastHeard);

/// <summary>
/// The scan screen (DESIGN.md §8) over the last 60 s: devices around ("Xung quanh bạn"), Bluezoners among
/// them, near (close buckets, "Ở gần bạn") and around (farther, "Ở xung quanh"). Near + Around = Devices.
/// Devices are distinct advertiser addresses; a phone that rotates its address within the minute shows twice
/// until the old address ages out.
/// </summary>
public sealed record LiveSnapshot(DateTimeOffset At, int Devices, int Bluezoners, int Near, int Around, IReadOnlyList<NearbyDevice> List);

using Bluezone.Device.History;
using Bluezone.Device.History.Internal;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;

namespace Bluezone.Device.Tests.History;

/// <summary>
/// The live view keeps its entries in slots of its own; what it shows must be what a dictionary of each
/// address's newest sighting shows, down to the order of equal attenuations in the list (which follows the
/// dictionary's enumeration order through the unstable sort).
/// </summary>
public sealed class LiveViewTests
{
    private static readonly ProximityOptions Proximity = new();

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 40)]
    [InlineData(3, 300)] // a crowd: the index grows several times
    public void Snapshots_equal_a_dictionary_of_newest_sightings_through_arrivals_and_expiries(int seed, int addresses)
    {
        var random = new Random(seed);
        var view = new LiveView(Proximity);
        var reference = new Dictionary<BluetoothAddress, (long LastMs, bool IsBluezone, int Attenuation)>();
        var nowMs = 1_800_000_000_000L;
        var snapshots = 0;
        for (var step = 0; step < 20_000; step++)
        {
            var roll = random.Next(1000);
            if (roll < 3)
            {
                nowMs += random.Next(30_000, 300_000); // the next background scan: most of the view expires
            }
            else if (roll < 900)
            {
                var address = new BluetoothAddress((ulong)random.Next(1, addresses + 1) * 0x1_0001UL);
                var heardMs = nowMs - random.Next(0, 3_000);
                var isBluezone = random.Next(2) == 0;
                var attenuation = random.Next(40, 90); // many equal attenuations: the list order is tested
                view.Observe(address, heardMs, isBluezone, attenuation);
                ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(reference, address, out _);
                if (heardMs >= entry.LastMs)
                {
                    entry = (heardMs, isBluezone, attenuation);
                }

                nowMs += random.Next(0, 200);
            }
            else if (roll < 980)
            {
                view.Forget(nowMs);
                ForgetIn(reference, nowMs);
            }
            else
            {
                var now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
                AssertSame(ReferenceSnapshot(reference, now), view.Snapshot(now));
                Assert.Equal(reference.Count, view.Count);
                snapshots++;
            }
        }

        Assert.True(snapshots > 100);
    }

    [Fact]
    public void An_address_is_gone_once_its_newest_sighting_is_older_than_a_minute()
    {
        var view = new LiveView(Proximity);
        var t = 1_800_000_000_000L;
        view.Observe(new BluetoothAddress(1), t, true, 50);
        view.Observe(new BluetoothAddress(2), t + 30_000, false, 70);
        view.Forget(t + LiveView.WindowMs);
        Assert.Equal(1, view.Count);
        var snapshot = view.Snapshot(DateTimeOffset.FromUnixTimeMilliseconds(t + LiveView.WindowMs));
        Assert.Equal(70, Assert.Single(snapshot.List).Attenuation);
        view.Forget(t + 30_000 + LiveView.WindowMs);
        Assert.Equal(0, view.Count);
        Assert.Equal(long.MaxValue, view.ExpiryDueMs);
    }

    private static void ForgetIn(Dictionary<BluetoothAddress, (long LastMs, bool IsBluezone, int Attenuation)> reference, long nowMs)
    {
        var expired = reference.Where(e => e.Value.LastMs <= nowMs - LiveView.WindowMs).Select(e => e.Key).ToList();
        foreach (var address in expired)
        {
            reference.Remove(address);
        }
    }

    private static LiveSnapshot ReferenceSnapshot(Dictionary<BluetoothAddress, (long LastMs, bool IsBluezone, int Attenuation)> reference, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        ForgetIn(reference, nowMs);
        var list = reference.Values
            .Where(e => e.LastMs <= nowMs)
            .Select(e => new NearbyDevice(e.IsBluezone, e.Attenuation, Proximity.BucketOf(e.Attenuation), DateTimeOffset.FromUnixTimeMilliseconds(e.LastMs)))
            .ToList();
        list.Sort(static (a, b) => a.Attenuation.CompareTo(b.Attenuation));
        var near = list.Count(d => Proximity.IsClose(d.Attenuation));
        return new LiveSnapshot(now, list.Count, list.Count(d => d.IsBluezoner), near, list.Count - near, list);
    }

    private static void AssertSame(LiveSnapshot expected, LiveSnapshot actual)
    {
        Assert.Equal(expected with { List = [] }, actual with { List = [] });
        Assert.Equal(expected.List, actual.List);
    }
}

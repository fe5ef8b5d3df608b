using Bluezone.Device.Radio;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Device.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.Device.Tests.Sightings;

/// <summary>
/// <see cref="SightingOptions.CloseScanWhenScanningStops"/>: a background scan closed when the device stops
/// scanning records exactly what the scan-gap rule records 25.5 s later, with one wake less per scan.
/// </summary>
public sealed class ScanCloseAtStopTests
{
    private static readonly DateTimeOffset Evening = new(2026, 11, 20, 22, 30, 0, TimeSpan.Zero); // crosses midnight

    [Fact]
    public void Closing_at_stop_records_the_same_scans_as_closing_after_the_gap_with_fewer_wakes()
    {
        var air = new ScanScenario(Evening, seed: 5) { ScanPeriod = TimeSpan.FromSeconds(2) }
            .Phone(45, TimeSpan.Zero, TimeSpan.FromHours(3), TimeSpan.FromSeconds(40))
            .Phone(62, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(150), TimeSpan.FromSeconds(100))
            .Phone(75, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(55))
            .Other(50, TimeSpan.Zero, TimeSpan.FromHours(2))
            .Build();

        var byGap = Drive(air, closeAtStop: false);
        var atStop = Drive(air, closeAtStop: true);

        Assert.InRange(byGap.Store.LoadScanInstances().Count, 60, 1000);
        Assert.Equal(byGap.Store.LoadScanInstances(), atStop.Store.LoadScanInstances());
        Assert.Equal(2, byGap.Store.Days().Count);
        Assert.Equal(byGap.Store.Days(), atStop.Store.Days());
        foreach (var day in byGap.Store.Days())
        {
            Assert.Equal(byGap.Store.History(day), atStop.Store.History(day));
        }

        // About 40 background scans in 3 h: each closed by gap costs one more wake.
        Assert.Equal(byGap.Scans, atStop.Scans);
        Assert.InRange(byGap.Wakes - atStop.Wakes, byGap.Scans - 1, byGap.Scans);
        Assert.True(atStop.NoScanLeftOpenAtStop);
    }

    private static Outcome Drive(List<ReceivedAdvertisement> air, bool closeAtStop)
    {
        var time = new FakeTimeProvider(Evening);
        var radio = new InMemoryRadio();
        var store = new InMemoryDeviceStore();
        var options = new DeviceOptions { Sightings = { CloseScanWhenScanningStops = closeAtStop } };
        var wakes = 0;
        var closedAtStop = true;
        using (var device = new BluezoneDevice(radio, store, time, options, jitter: new Random(42), secrets: new SeededRandomNumberGenerator(43)))
        {
            var next = device.Pump();
            foreach (var sighting in air)
            {
                while (next <= sighting.Time)
                {
                    time.SetUtcNow(next);
                    var wasScanning = radio.IsScanning;
                    next = device.Pump();
                    wakes++;
                    if (wasScanning && !radio.IsScanning)
                    {
                        closedAtStop &= device.Sightings.ScanCloseDue is null;
                    }
                }

                time.SetUtcNow(sighting.Time);
                radio.Deliver(sighting);
            }
        }

        return new Outcome(store, radio.ScansStarted, wakes, closedAtStop);
    }

    private sealed record Outcome(InMemoryDeviceStore Store, int Scans, int Wakes, bool NoScanLeftOpenAtStop);
}

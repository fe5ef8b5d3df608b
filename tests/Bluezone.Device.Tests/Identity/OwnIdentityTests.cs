using Bluezone.Device.History;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Storage;
using Bluezone.Device.Tests.Support;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.Device.Tests.Identity;

/// <summary>The phone's own keys and what it broadcasts, driven by a fake clock through the in-memory radio.</summary>
public sealed class OwnIdentityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 3, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryRadio _radio = new();
    private readonly DeviceStore _store;

    public OwnIdentityTests() => _store = DeviceStore.Open(_directory.Path);

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_RPI_and_address_change_exactly_at_each_interval_boundary_plus_its_offset()
    {
        using var device = NewDevice();
        device.Pump();
        var interval = IntervalNumber.FromTime(Start);
        for (var k = 1; k <= 6; k++)
        {
            var boundary = interval + k;
            var rotation = device.Identity.RotationTime(boundary);
            var offset = rotation - boundary.StartTime;
            Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromMinutes(2));

            _time.SetUtcNow(rotation - TimeSpan.FromMilliseconds(1));
            device.Pump();
            var before = Broadcast();
            Assert.Equal(ExpectedRpi(device, boundary - 1), before.Rpi);
            var addressBefore = _radio.Address;

            _time.SetUtcNow(rotation);
            device.Pump();
            var after = Broadcast();
            Assert.Equal(ExpectedRpi(device, boundary), after.Rpi);
            Assert.NotEqual(addressBefore, _radio.Address);
        }

        // The offsets are random: six boundaries did not all get the same one.
        var offsets = Enumerable.Range(1, 6).Select(k => device.Identity.RotationTime(interval + k) - (interval + k).StartTime).Distinct();
        Assert.True(offsets.Count() > 1);
    }

    [Fact]
    public void Pump_asks_to_be_called_back_at_the_next_rotation_or_scan_event()
    {
        using var device = NewDevice();
        var next = device.Pump();
        Assert.True(_radio.IsScanning); // first scan at start-up
        Assert.Equal(Start + TimeSpan.FromSeconds(4), next);
        _time.SetUtcNow(next);
        var following = device.Pump();
        Assert.False(_radio.IsScanning);
        Assert.InRange(following - Start, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(300));
    }

    [Fact]
    public void The_scan_around_screen_scans_continuously_until_it_is_closed()
    {
        using var device = NewDevice();
        device.ForegroundScanning = true;
        device.Pump();
        _time.Advance(TimeSpan.FromMinutes(3));
        device.Pump();
        Assert.True(_radio.IsScanning);
        Assert.Equal(1, _radio.ScansStarted);

        device.ForegroundScanning = false;
        device.Pump();
        Assert.False(_radio.IsScanning);
    }

    [Fact]
    public void A_new_key_is_created_for_each_UTC_day_and_kept_across_restarts()
    {
        using (var device = NewDevice())
        {
            for (var day = 0; day < 3; day++)
            {
                _time.SetUtcNow(Start.AddDays(day));
                device.Pump();
                _time.SetUtcNow(Start.AddDays(day).AddHours(5));
                device.Pump();
            }

            var keys = device.OwnKeys.Keys;
            Assert.Equal(3, keys.Count);
            Assert.Equal(3, keys.Select(k => Convert.ToHexString(k.KeyData)).Distinct().Count());
            Assert.Equal([new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21), new DateOnly(2026, 11, 22)], keys.Select(k => k.Day));
            Assert.All(keys, k => Assert.True(k.RollingStartIntervalNumber.IsDayStart));
        }

        var reloaded = _store.LoadOwnKeys();
        Assert.Equal(3, reloaded.Count);
        using var again = NewDevice();
        _time.SetUtcNow(Start.AddDays(2).AddHours(7));
        again.Pump();
        Assert.Equal(3, again.OwnKeys.Keys.Count); // the day's key was reused, not replaced
        var broadcast = Broadcast();
        var dayThree = reloaded.Single(k => k.Day == new DateOnly(2026, 11, 22));
        var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(dayThree.KeyData);
        var interval = again.CurrentBroadcast!.Interval;
        Assert.Equal(KeySchedule.ComputeRollingProximityIdentifier(rpik, interval), broadcast.Rpi);
    }

    [Fact]
    public void The_AEM_decrypts_to_the_calibrated_tx_power_of_the_phone_model()
    {
        var table = CalibrationTable.Load(new StringReader("""
            oem,model,rssi correction (android rssi + rssi correction = iphone rssi),tx (as iphone would report for same power),has direct measurement
            Google,Pixel 4,2,-27,yes
            Google,Pixel 3,4,-25,no
            """), "test.csv");
        using var device = NewDevice(new DeviceOptions { Model = "Google,Pixel 4" }, table);
        device.Pump();

        var advertisement = Broadcast();
        var key = device.OwnKeys.Keys.Single();
        var metadata = KeySchedule.DecryptMetadata(KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.KeyData), advertisement.Rpi, advertisement.Aem);

        Assert.Equal(-27, metadata.TxPowerDbm);
        Assert.Equal(3, metadata.CalibrationConfidence); // a directly measured model
        Assert.Equal(1, metadata.MajorVersion);
        Assert.Equal(2, device.Calibration.RssiCorrection);
    }

    [Fact]
    public void The_radio_advertises_the_Bluezone_payload_at_the_configured_interval()
    {
        using var device = NewDevice();
        device.Pump();
        Assert.True(_radio.IsAdvertising);
        Assert.Equal(TimeSpan.FromMilliseconds(250), _radio.AdvertisingInterval);
        Assert.True(BluezoneAdvertisement.TryParse(_radio.Payload!.Value.Span, out _));
        Assert.Equal(0UL, _radio.Address!.Value.Value >> 46); // non-resolvable private address
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_radio_that_reuses_its_payload_buffer_broadcasts_the_same_bytes(bool reuse)
    {
        var radio = new InMemoryRadio(reuse);
        radio.StartAdvertising([1, 2, 3, 4], new BluetoothAddress(1), TimeSpan.FromMilliseconds(250));
        var first = radio.Payload!.Value;
        radio.StartAdvertising([9, 8, 7], new BluetoothAddress(2), TimeSpan.FromMilliseconds(250));

        Assert.Equal([9, 8, 7], radio.Payload!.Value.ToArray());

        // Only the copying radio leaves what it gave before as it was; the other says so in its contract.
        Assert.Equal(reuse ? [9, 8, 7, 4] : [1, 2, 3, 4], first.ToArray());
        radio.StopAdvertising();
        Assert.Null(radio.Payload);
    }

    [Fact]
    public void The_device_hears_other_phones_only_while_scanning_and_records_them()
    {
        using var device = NewDevice();

        // The other phone advertises all the time; this one hears it only during its own duty-cycled scans.
        var air = new ScanScenario(Start) { ScanPeriod = TimeSpan.FromSeconds(4) }.Phone(50, TimeSpan.Zero, TimeSpan.FromHours(1)).Build();
        var next = device.Pump();
        var heard = 0;
        foreach (var sighting in air)
        {
            while (next <= sighting.Time)
            {
                _time.SetUtcNow(next);
                var following = device.Pump();
                next = following > next ? following : next + TimeSpan.FromMilliseconds(1);
            }

            _time.SetUtcNow(sighting.Time);
            heard += _radio.Deliver(sighting) ? 1 : 0;
        }

        _time.SetUtcNow(Start.AddHours(1).AddMinutes(1));
        device.Pump();
        var history = device.History(DateOnly.FromDateTime(Start.UtcDateTime));

        Assert.InRange(heard, 12 * 14, air.Count / 40); // about 4 s of every 210–300 s
        Assert.Equal(1, history.Encounters);
        Assert.InRange(history.DistinctRpis, 6, 7);
        Assert.Equal(new ContactCount(1, 1), history.Close);
    }

    private BluezoneDevice NewDevice(DeviceOptions? options = null, CalibrationTable? table = null) =>
        new(_radio, _store, _time, options, table, new Random(42), new SeededRandomNumberGenerator(43));

    private BluezoneAdvertisement Broadcast() => BluezoneAdvertisement.Parse(_radio.Payload!.Value.Span);

    private static RollingProximityIdentifier ExpectedRpi(BluezoneDevice device, IntervalNumber interval)
    {
        var key = device.OwnKeys.Keys.Single(k => k.Covers(interval));
        return KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(key.KeyData), interval);
    }
}

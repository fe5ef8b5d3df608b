using System.Security.Cryptography;
using Bluezone.Device.History;
using Bluezone.Device.Identity;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device;

/// <summary>
/// The phone's brain, minus matching: it keeps its own daily keys, drives the radio (advertising with
/// rotation, duty-cycled scanning), turns what it hears into scan instances and encounters in the store, and
/// answers the live and history screens. It owns no thread and reads no wall clock: the host calls
/// <see cref="Pump"/> at (or after) the time it returns and delivers the radio's advertisements in between,
/// on one thread at a time. That is what lets the simulator run thousands of them in simulated time.
/// </summary>
public sealed class BluezoneDevice : IAdvertisementReceiver, IDisposable
{
    private readonly IRadio _radio;
    private readonly IDeviceStore _store;
    private readonly TimeProvider _time;
    private readonly DeviceOptions _options;
    private readonly Random _jitter;
    private readonly SightingProcessor _processor;
    private bool _scanning;

    // Pump runs more than a thousand times a simulated day per phone, so its times are UTC ticks: comparing
    // longs, not converting DateTimeOffsets and dates at every call.
    private long _scanEndTicks;
    private long _nextScanTicks = long.MinValue; // scan at start-up, then on the duty cycle
    private long _purgedFromTicks; // the UTC day last purged, [from, until); empty before the first purge
    private long _purgedUntilTicks;
    private OnAir _advertised; // what RotatingIdentity gives within its [since, until); Rotation 0: nothing yet
    private Broadcast? _advertisedBroadcast; // _advertised as CurrentBroadcast shows it, made when first asked
    private long _scansFlushed;
    private bool _foreground;
    private bool _disposed;

    // The duty cycle, read once from the options: each phone of a simulated city has its own options objects,
    // and reading them at every wake touched cache lines of their own.
    private readonly long _scanWindowTicks;
    private readonly long _scanPeriodMinMs;
    private readonly long _scanPeriodMaxMs;
    private readonly TimeSpan _advertisingInterval;
    private readonly bool _closeScanWhenScanningStops;

    /// <param name="store">The device's store; the caller keeps ownership.</param>
    /// <param name="calibration">The calibration table; null for the documented defaults.</param>
    /// <param name="jitter">Draws rotation offsets and scan periods; null for a non-deterministic one.</param>
    /// <param name="secrets">Draws daily keys and addresses; null for the platform's cryptographic generator.</param>
    public BluezoneDevice(
        IRadio radio,
        IDeviceStore store,
        TimeProvider time,
        DeviceOptions? options = null,
        CalibrationTable? calibration = null,
        Random? jitter = null,
        RandomNumberGenerator? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(radio);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new DeviceOptions();
        _options.Validate();
        _radio = radio;
        _store = store;
        _time = time;
        _jitter = jitter ?? new Random();
        Calibration = (calibration ?? CalibrationTable.Defaults).Find(_options.Model);
        OwnKeys = new OwnKeyRing(store, secrets);
        var metadata = AdvertisementMetadata.ForTxPower(Calibration.TxPowerDbm, Calibration.Confidence);
        Identity = new RotatingIdentity(OwnKeys, metadata, _options.Identity, _jitter, secrets);
        _processor = new SightingProcessor(store, Calibration, _options.Sightings, _options.Encounters, _options.Proximity);
        _scanWindowTicks = _options.Identity.ScanWindow.Ticks;
        _scanPeriodMinMs = (long)_options.Identity.ScanPeriodMin.TotalMilliseconds;
        _scanPeriodMaxMs = (long)_options.Identity.ScanPeriodMax.TotalMilliseconds;
        _advertisingInterval = _options.Identity.AdvertisingInterval;
        _closeScanWhenScanningStops = _options.Sightings.CloseScanWhenScanningStops;
    }

    /// <summary>This phone's calibration (its tx power goes into every AEM; its RSSI correction into every attenuation).</summary>
    public DeviceCalibration Calibration { get; }

    public OwnKeyRing OwnKeys { get; }

    public RotatingIdentity Identity { get; }

    /// <summary>What is on the air now; null before the first <see cref="Pump"/>.</summary>
    public Broadcast? CurrentBroadcast => _advertised.Rotation == 0 ? null : _advertisedBroadcast ??= _advertised.ToBroadcast();

    public SightingProcessor Sightings => _processor;

    /// <summary>
    /// The "scan around" screen is open: scan continuously instead of the background duty cycle. Takes effect
    /// at the next <see cref="Pump"/>.
    /// </summary>
    public bool ForegroundScanning
    {
        get => _foreground;
        set => _foreground = value;
    }

    /// <summary>
    /// Does whatever is due now — rotate the broadcast, start or stop a scan, close a finished scan, write the
    /// store, purge old data at a new day — and returns when it wants to be called next.
    /// </summary>
    public DateTimeOffset Pump()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = _time.GetUtcNow();
        var ticks = now.UtcTicks;
        if (ticks < _purgedFromTicks || ticks >= _purgedUntilTicks)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            _store.Purge(today);
            OwnKeys.Forget(today, DeviceStore.RetentionDays);
            _purgedFromTicks = ticks - (ticks % TimeSpan.TicksPerDay);
            _purgedUntilTicks = _purgedFromTicks + TimeSpan.TicksPerDay;
        }

        if (ticks < _advertised.SinceTicks || ticks >= _advertised.UntilTicks)
        {
            var onAir = Identity.OnAirAt(ticks);
            if (onAir.Rotation != _advertised.Rotation)
            {
                // The radio copies the payload: it is written on the stack, not into an array per rotation.
                Span<byte> payload = stackalloc byte[BluezoneAdvertisement.Length];
                onAir.Advertisement.WriteTo(payload);
                _radio.StartAdvertising(payload, onAir.Address, _advertisingInterval);
                _advertisedBroadcast = null;
            }

            _advertised = onAir;
        }

        if (_scanning && !_foreground && ticks >= _scanEndTicks)
        {
            _radio.StopScanning();
            _scanning = false;
            if (_closeScanWhenScanningStops)
            {
                // The radio hears nothing more until the next scan, at least ScanPeriodMin away: the scan is
                // over, so it is closed now rather than when the scan gap has passed (one wake less per scan).
                _processor.Complete();
            }
        }

        if (!_scanning && (_foreground || ticks >= _nextScanTicks))
        {
            _radio.StartScanning(this);
            _scanning = true;
            _scanEndTicks = ticks + _scanWindowTicks;
            _nextScanTicks = ticks + ((_scanPeriodMinMs + _jitter.NextInt64(_scanPeriodMaxMs - _scanPeriodMinMs + 1)) * TimeSpan.TicksPerMillisecond);
        }

        _processor.AdvanceTo(now);
        if (!_scanning && _processor.ScansClosed != _scansFlushed)
        {
            // One write per scan: the flash is touched a few times an hour, not per sighting.
            _store.Flush();
            _scansFlushed = _processor.ScansClosed;
        }

        var next = _advertised.UntilTicks;
        var scanDue = _foreground ? long.MaxValue : _scanning ? _scanEndTicks : _nextScanTicks;
        next = Math.Min(next, Math.Min(scanDue, _processor.ScanCloseDueTicks));
        return next <= ticks ? now : new DateTimeOffset(next, TimeSpan.Zero);
    }

    /// <summary>The radio heard something (called by the radio while a scan runs).</summary>
    public void OnAdvertisement(in ReceivedAdvertisement advertisement)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _processor.Ingest(advertisement);
    }

    /// <summary>A batch of what the radio heard, in time order.</summary>
    public void OnAdvertisements(ReadOnlySpan<ReceivedAdvertisement> advertisements)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _processor.Ingest(advertisements);
    }

    /// <summary>One sender's advertisements as columns, in time order (the simulator's radio).</summary>
    public void OnAdvertisements(BluetoothAddress address, ReadOnlyMemory<byte> payload, ReadOnlySpan<long> utcTicks, ReadOnlySpan<int> rssi)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _processor.Ingest(address, payload.Span, utcTicks, rssi);
    }

    /// <summary>The scan screen: who was heard in the last 60 s.</summary>
    public LiveSnapshot Live() => _processor.Live(_time.GetUtcNow());

    /// <summary>The history screen for one UTC day (closes a finished scan first, so it is counted).</summary>
    public DayHistory History(DateOnly date)
    {
        _processor.AdvanceTo(_time.GetUtcNow());
        return _store.History(date, _options.History);
    }

    /// <summary>
    /// "Delete all my data": wipes the store (contact log and own keys, with the key file) and everything held
    /// in memory, then carries on with a new daily key and a new identity.
    /// </summary>
    public void DeleteAllData()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _store.DeleteAllData();
        _processor.Reset();
        Identity.Reset();
        OwnKeys.Reload();
        _advertised = default;
        _advertisedBroadcast = null;
        _purgedFromTicks = _purgedUntilTicks = 0;
    }

    /// <summary>Stops the radio and writes what is pending; the store stays open (the caller owns it).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_scanning)
        {
            _radio.StopScanning();
        }

        _radio.StopAdvertising();
        _processor.Complete();
        _store.Flush();
    }
}

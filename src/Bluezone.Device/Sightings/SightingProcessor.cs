using System.Numerics;
using System.Runtime.InteropServices;
using Bluezone.Device.Encounters;
using Bluezone.Device.Encounters.Internal;
using Bluezone.Device.History;
using Bluezone.Device.History.Internal;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;
using Bluezone.Device.Sightings.Internal;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Sightings;

/// <summary>
/// Sightings in, scans out: groups what the radio hears into scans, turns each Bluezone RPI's sightings into
/// a <see cref="ScanInstance"/>, links them into encounters, counts non-Bluezone advertisers, and hands each
/// closed scan to the <see cref="IContactLog"/>. It has no clock and no thread: time comes from the sightings
/// and from <see cref="AdvanceTo"/>, so a live radio, a replayed log and the simulator all run it the same way.
/// </summary>
public sealed class SightingProcessor
{
    private readonly SightingOptions _options;
    private readonly DeviceCalibration _ownCalibration;
    private readonly IContactLog _log;
    private readonly EncounterLinker _linker;
    private readonly DeviceCountEpisodes _others = new(EncounterKind.OtherDevice);
    private readonly DeviceCountEpisodes _closeOthers = new(EncounterKind.OtherCloseDevice);
    private readonly LiveView _live;
    private readonly bool _liveView;
    private readonly long _scanGapMs;
    private readonly long _maxScanMs;

    // More options read once (see EncounterLinker: a set of options objects per phone in a simulated city).
    private readonly int _defaultSenderTxPowerDbm;
    private readonly int _firstScanSeconds;
    private readonly int _maxSecondsSinceLastScan;
    private readonly long _linkWindowMs;
    private readonly int _closeMaxDb; // ProximityOptions.IsClose: at most this attenuation

    private const int IndexedFrom = 16;

    // RPI → its slot in _aggregates + 1 (0: empty), from IndexedFrom RPIs on: open addressing with linear
    // probing over ints, cleared at each scan's close and never shrunk (a crowd's table is a few KB of ints).
    private int[] _rpiIndex = [];
    private int _rpiIndexShift;
    private bool _indexed;
    private readonly List<RpiAggregate> _aggregates = [];
    private readonly Dictionary<BluetoothAddress, int> _otherAddresses = [];
    private readonly List<RpiObservation> _observations = [];
    private readonly List<ScanInstance> _instances = [];
    private readonly List<EncounterDay> _updates = [];

    private bool _scanOpen;
    private long _scanStartMs;
    private long _scanLastMs;
    private long _previousScanStartMs = long.MinValue;
    private long _scanSequence;
    private long _nextEncounterId;
    private long _liveForgottenMs;
    private long _liveExpiryDueMs = long.MaxValue; // nothing in the live view expires before (a lower bound)

    // The last payload parsed: a sender repeats the same bytes at every advertising interval, so a burst of
    // one sender's advertisements is parsed and looked up once (the bytes are compared, never assumed equal).
    private byte[] _lastPayload = new byte[BluezoneAdvertisement.Length];
    private int _lastPayloadLength = -1;
    private bool _lastIsBluezone;
    private BluezoneAdvertisement _lastAdvertisement;
    private int _lastSlot = -1; // its slot in _aggregates in the open scan; -1 before it is added

    // Likewise a run of one non-Bluezone address: its strongest signal is kept here and written once.
    private bool _hasPendingOther;
    private BluetoothAddress _pendingOther;
    private int _pendingOtherStrongest;

    /// <param name="ownCalibration">This phone's calibration: its RSSI correction applies to everything it hears.</param>
    public SightingProcessor(
        IContactLog log,
        DeviceCalibration ownCalibration,
        SightingOptions? options = null,
        EncounterOptions? encounterOptions = null,
        ProximityOptions? proximity = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        _options = options ?? new SightingOptions();
        encounterOptions ??= new EncounterOptions();
        proximity ??= new ProximityOptions();
        _options.Validate();
        encounterOptions.Validate();
        proximity.Validate();
        _log = log;
        _ownCalibration = ownCalibration;
        _linker = new EncounterLinker(encounterOptions, proximity);
        _live = new LiveView(proximity);
        _liveView = _options.LiveView;
        _liveForgottenMs = NoLiveView(_liveView);
        _scanGapMs = (long)_options.ScanGap.TotalMilliseconds;
        _maxScanMs = (long)_options.MaxScanDuration.TotalMilliseconds;
        _defaultSenderTxPowerDbm = _options.DefaultSenderTxPowerDbm;
        _firstScanSeconds = _options.FirstScanSeconds;
        _maxSecondsSinceLastScan = _options.MaxSecondsSinceLastScan;
        _linkWindowMs = (long)encounterOptions.LinkWindow.TotalMilliseconds;
        _closeMaxDb = proximity.NearMaxDb;
        _nextEncounterId = log.NextEncounterId;
    }

    /// <summary>Scans closed so far.</summary>
    public long ScansClosed => _scanSequence;

    /// <summary>In-memory state that depends on the surroundings, not on how long the device has run (for memory checks).</summary>
    public int ActiveTracks => _linker.ActiveTracks + _others.ActiveLevels + _closeOthers.ActiveLevels + _live.Count;

    /// <summary>When an open scan will be closed if nothing more is heard; null when no scan is open.</summary>
    public DateTimeOffset? ScanCloseDue => _scanOpen ? new DateTimeOffset(ScanCloseDueTicks, TimeSpan.Zero) : null;

    /// <summary><see cref="ScanCloseDue"/> in UTC ticks, <see cref="long.MaxValue"/> when no scan is open (for the device's Pump).</summary>
    internal long ScanCloseDueTicks => _scanOpen
        ? DateTimeOffset.UnixEpoch.Ticks + ((_scanLastMs + _scanGapMs + 1) * TimeSpan.TicksPerMillisecond)
        : long.MaxValue;

    /// <summary>
    /// Takes one sighting. Sightings should arrive in time order; one a little older than the open scan is
    /// counted in it.
    /// </summary>
    public void Ingest(in ReceivedAdvertisement advertisement) => Ingest(new ReadOnlySpan<ReceivedAdvertisement>(in advertisement));

    /// <summary>Takes several sightings in time order; the same as taking them one by one.</summary>
    public void Ingest(ReadOnlySpan<ReceivedAdvertisement> advertisements)
    {
        // A scanner hears a sender many times in a row (the simulator hands over one sender's whole scan): a
        // run of one address with one payload is parsed, looked up and shown on the live view once.
        var start = 0;
        while (start < advertisements.Length)
        {
            ref readonly var first = ref advertisements[start];
            var end = start + 1;
            while (end < advertisements.Length
                && advertisements[end].Address == first.Address
                && SamePayload(advertisements[end].Payload, first.Payload))
            {
                end++;
            }

            IngestRun(first.Address, first.Payload.Span, new Advertisements(advertisements[start..end]));
            start = end;
        }
    }

    /// <summary>
    /// Takes one sender's sightings in time order as columns — its address and payload once, each sighting's
    /// time (UTC ticks) and RSSI — the same as taking them one by one as <see cref="ReceivedAdvertisement"/>s.
    /// </summary>
    public void Ingest(BluetoothAddress address, ReadOnlySpan<byte> payload, ReadOnlySpan<long> utcTicks, ReadOnlySpan<int> rssi)
    {
        if (utcTicks.Length != rssi.Length)
        {
            throw new ArgumentException("One RSSI per sighting time.", nameof(rssi));
        }

        // Checked for all at once (a vectorised search): this runs for every sender of every simulated scan.
        var outside = utcTicks.IndexOfAnyExceptInRange(0, DateTimeOffset.MaxValue.UtcTicks);
        if (outside >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(utcTicks), utcTicks[outside], "A sighting time is outside the range of DateTimeOffset.");
        }

        if (!utcTicks.IsEmpty)
        {
            IngestRun(address, payload, new Columns(utcTicks, rssi));
        }
    }

    private static bool SamePayload(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) =>
        a.Equals(b) || a.Span.SequenceEqual(b.Span); // the same buffer, as a sender repeats it, or the same bytes

    /// <summary>Sightings of one address with one payload, in time order; the same as taking them one by one.</summary>
    /// <remarks>
    /// This loop runs for every sighting a simulated city delivers. Its state (the run's sums, the open scan's
    /// times, the live view's last forget) is kept in locals, written back to the fields only before the calls
    /// that read them (closing a scan, updating the live view) and at the end: in fields, every sighting cost a
    /// chain of loads and stores through memory.
    /// </remarks>
    private void IngestRun<TSightings>(BluetoothAddress address, ReadOnlySpan<byte> payload, TSightings run)
        where TSightings : ISightings, allows ref struct
    {
        if (_lastPayloadLength != payload.Length || !payload.SequenceEqual(_lastPayload.AsSpan(0, payload.Length)))
        {
            Remember(payload);
        }

        var txPower = _defaultSenderTxPowerDbm;
        var calibration = _ownCalibration; // a local copy of the struct: its correction stays in a register
        var scanGapMs = _scanGapMs;
        var maxScanMs = _maxScanMs;
        var scanOpen = _scanOpen;
        var scanStartMs = _scanStartMs;
        var scanLastMs = _scanLastMs;
        var liveForgottenMs = _liveForgottenMs;
        long sum = 0;
        var count = 0;
        var min = int.MaxValue;
        var firstMs = long.MaxValue;
        var lastMs = long.MinValue;
        long newestMs = long.MinValue;
        var newestAttenuation = 0;

        // Before eventMs nothing happens to a sighting in the open scan but being added up (no scan closes or
        // opens, the live view forgets nothing): one comparison and the gap's, instead of every case in turn.
        var eventMs = NextEventMs(scanOpen, scanStartMs, maxScanMs, liveForgottenMs);
        for (var i = 0; i < run.Count; i++)
        {
            var ms = run.UnixMs(i);
            if (ms < eventMs && ms - scanLastMs <= scanGapMs)
            {
                scanLastMs = Math.Max(scanLastMs, ms);
            }
            else
            {
                if (scanOpen && (ms - scanLastMs > scanGapMs || ms - scanStartMs >= maxScanMs))
                {
                    _scanLastMs = scanLastMs; // CloseScan reads it
                    AddToScan(address, new RunPart { Sum = sum, Count = count, Min = min, FirstMs = firstMs, LastMs = lastMs });
                    (sum, count, min, firstMs, lastMs) = (0, 0, int.MaxValue, long.MaxValue, long.MinValue);
                    CloseScan();
                    scanOpen = false;
                }

                if (!scanOpen)
                {
                    scanOpen = _scanOpen = true;
                    scanStartMs = _scanStartMs = ms;
                    scanLastMs = ms;
                }
                else if (ms > scanLastMs)
                {
                    scanLastMs = ms;
                }

                if (ms - liveForgottenMs >= 1000)
                {
                    // Addresses heard more than 60 s ago are dropped within a second, however long a scan runs.
                    // The sightings before it are shown first, as one by one would have (down to the table's layout).
                    if (newestMs != long.MinValue)
                    {
                        _live.Observe(address, newestMs, _lastIsBluezone, newestAttenuation);
                        newestMs = long.MinValue;
                    }

                    _live.Forget(ms);
                    liveForgottenMs = _liveForgottenMs = ms;
                    _liveExpiryDueMs = _live.ExpiryDueMs;
                }

                eventMs = NextEventMs(scanOpen, scanStartMs, maxScanMs, liveForgottenMs);
            }

            var attenuation = Math.Clamp(calibration.AttenuationOf(run.Rssi(i), txPower), 0, 255);
            sum += attenuation;
            count++;
            min = Math.Min(min, attenuation);
            firstMs = Math.Min(firstMs, ms);
            lastMs = Math.Max(lastMs, ms);
            if (ms >= newestMs)
            {
                newestMs = ms;
                newestAttenuation = attenuation;
            }
        }

        _scanLastMs = scanLastMs;
        AddToScan(address, new RunPart { Sum = sum, Count = count, Min = min, FirstMs = firstMs, LastMs = lastMs });

        // The live view keeps an address's newest sighting (the last of equal times): between two forgets,
        // showing a run's newest sighting alone leaves it as showing each sighting in turn.
        if (_liveView)
        {
            _live.Observe(address, newestMs, _lastIsBluezone, newestAttenuation);
            _liveExpiryDueMs = Math.Min(_liveExpiryDueMs, newestMs + LiveView.WindowMs);
        }
    }

    /// <summary>
    /// The live view's last forget to start from: a time so far ahead when there is no live view that a
    /// sighting never falls a second after it, so IngestRun never stops to update a view nobody keeps.
    /// </summary>
    private static long NoLiveView(bool liveView) => liveView ? 0 : long.MaxValue / 2;

    /// <summary>
    /// When the next sighting needs more than adding up: the open scan's longest end, or the live view's next
    /// forget (a second after the last); at once when no scan is open.
    /// </summary>
    private static long NextEventMs(bool scanOpen, long scanStartMs, long maxScanMs, long liveForgottenMs) =>
        scanOpen ? Math.Min(scanStartMs + maxScanMs, liveForgottenMs + 1000) : long.MinValue;

    /// <summary>Adds a run's sightings within one scan to that scan's RPI aggregate (or non-Bluezone address).</summary>
    private void AddToScan(BluetoothAddress address, in RunPart part)
    {
        if (part.Count == 0)
        {
            return;
        }

        if (_lastIsBluezone)
        {
            if (_lastSlot < 0)
            {
                _lastSlot = SlotOf(_lastAdvertisement, part);
            }

            ref var aggregate = ref CollectionsMarshal.AsSpan(_aggregates)[_lastSlot];
            aggregate.Sum += part.Sum;
            aggregate.Count += part.Count;
            aggregate.Min = Math.Min(aggregate.Min, part.Min);
            aggregate.FirstMs = Math.Min(aggregate.FirstMs, part.FirstMs);
            aggregate.LastMs = Math.Max(aggregate.LastMs, part.LastMs);
        }
        else if (_hasPendingOther && _pendingOther == address)
        {
            // Deduplicated by address within the scan (at most 60 s); the address is dropped when the scan closes.
            _pendingOtherStrongest = Math.Min(_pendingOtherStrongest, part.Min);
        }
        else
        {
            WritePendingOther();
            _hasPendingOther = true;
            _pendingOther = address;
            _pendingOtherStrongest = part.Min;
        }
    }

    /// <summary>The RPI's slot in <see cref="_aggregates"/>, added (from the run's first part) if the scan has not heard it yet.</summary>
    private int SlotOf(in BluezoneAdvertisement advertisement, in RunPart part)
    {
        var aggregates = CollectionsMarshal.AsSpan(_aggregates);
        var slot = aggregates.Length;
        if (!_indexed)
        {
            // A background scan hears a handful of RPIs: looking along them beats hashing. A crowded scan
            // (continuous scanning in a crowd) switches to the table once, at IndexedFrom RPIs.
            for (var i = 0; i < aggregates.Length; i++)
            {
                if (aggregates[i].Rpi == advertisement.Rpi)
                {
                    return i;
                }
            }

            if (aggregates.Length < IndexedFrom)
            {
                return AddAggregate(advertisement, part);
            }

            _indexed = true;
            IndexAggregates();
        }

        if ((aggregates.Length + 1) * 2 > _rpiIndex.Length)
        {
            IndexAggregates(); // at most half full, so a probe ends soon at an empty entry
        }

        var mask = _rpiIndex.Length - 1;
        var probe = RpiHome(advertisement.Rpi);
        for (; _rpiIndex[probe] != 0; probe = (probe + 1) & mask)
        {
            if (aggregates[_rpiIndex[probe] - 1].Rpi == advertisement.Rpi)
            {
                return _rpiIndex[probe] - 1;
            }
        }

        _rpiIndex[probe] = slot + 1;
        return AddAggregate(advertisement, part);
    }

    private int AddAggregate(in BluezoneAdvertisement advertisement, in RunPart part)
    {
        _aggregates.Add(new RpiAggregate { Rpi = advertisement.Rpi, Aem = advertisement.Aem, FirstMs = part.FirstMs, LastMs = part.LastMs, Min = part.Min });
        return _aggregates.Count - 1;
    }

    /// <summary>Indexes every aggregate of the open scan afresh, in a table at least twice as large as they are many.</summary>
    private void IndexAggregates()
    {
        var aggregates = CollectionsMarshal.AsSpan(_aggregates);
        var length = Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)(aggregates.Length + 1) * 2));
        if (_rpiIndex.Length < length)
        {
            _rpiIndex = new int[length];
            _rpiIndexShift = 64 - BitOperations.Log2((uint)length);
        }
        else
        {
            Array.Clear(_rpiIndex);
        }

        var mask = _rpiIndex.Length - 1;
        for (var slot = 0; slot < aggregates.Length; slot++)
        {
            var i = RpiHome(aggregates[slot].Rpi);
            while (_rpiIndex[i] != 0)
            {
                i = (i + 1) & mask;
            }

            _rpiIndex[i] = slot + 1;
        }
    }

    private int RpiHome(RollingProximityIdentifier rpi) =>
        (int)(((rpi.High ^ rpi.Low) * 0x9E37_79B9_7F4A_7C15UL) >> _rpiIndexShift); // Fibonacci hashing: the top bits

    private void ClearRpiIndex()
    {
        if (_indexed)
        {
            _indexed = false;
            Array.Clear(_rpiIndex);
        }
    }

    private void WritePendingOther()
    {
        if (_hasPendingOther)
        {
            _hasPendingOther = false;
            ref var strongest = ref CollectionsMarshal.GetValueRefOrAddDefault(_otherAddresses, _pendingOther, out var exists);
            strongest = exists ? Math.Min(strongest, _pendingOtherStrongest) : _pendingOtherStrongest;
        }
    }

    private void Remember(ReadOnlySpan<byte> payload)
    {
        if (_lastPayload.Length < payload.Length)
        {
            _lastPayload = new byte[payload.Length];
        }

        payload.CopyTo(_lastPayload);
        _lastPayloadLength = payload.Length;
        _lastIsBluezone = BluezonePayload.TryExtract(payload, out _lastAdvertisement);
        _lastSlot = -1;
    }

    /// <summary>Tells the processor the time: a scan with nothing heard for the scan gap is closed.</summary>
    public void AdvanceTo(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        if (_scanOpen && ms - _scanLastMs > _scanGapMs)
        {
            CloseScan();
        }

        if (ms >= _liveExpiryDueMs)
        {
            // Otherwise nothing can have expired: the device asks at every wake and the live view is not touched.
            _live.Forget(ms);
            _liveExpiryDueMs = _live.ExpiryDueMs;
        }
    }

    /// <summary>Closes the open scan, if any (end of a log, app going to sleep).</summary>
    public void Complete()
    {
        if (_scanOpen)
        {
            CloseScan();
        }
    }

    /// <exception cref="InvalidOperationException">The live view is off (<see cref="SightingOptions.LiveView"/>).</exception>
    public LiveSnapshot Live(DateTimeOffset now) =>
        _liveView ? _live.Snapshot(now) : throw new InvalidOperationException("This device keeps no live view (SightingOptions.LiveView is off).");

    /// <summary>Forgets everything held in memory (after a wipe of the store).</summary>
    public void Reset()
    {
        _scanOpen = false;
        ClearRpiIndex();
        _aggregates.Clear();
        _lastSlot = -1;
        _hasPendingOther = false;
        _otherAddresses.Clear();
        _live.Clear();
        _liveExpiryDueMs = long.MaxValue;
        _previousScanStartMs = long.MinValue;
        _nextEncounterId = _log.NextEncounterId;
        _linker.Reset();
        _others.Reset();
        _closeOthers.Reset();
    }

    private void CloseScan()
    {
        _scanOpen = false;
        WritePendingOther();
        var sinceLast = _previousScanStartMs == long.MinValue
            ? _firstScanSeconds
            : (int)Math.Clamp((_scanStartMs - _previousScanStartMs + 500) / 1000, 1, _maxSecondsSinceLastScan);
        _previousScanStartMs = _scanStartMs;

        _observations.Clear();
        foreach (ref readonly var aggregate in CollectionsMarshal.AsSpan(_aggregates))
        {
            var typical = (byte)Math.Round(aggregate.Sum / (double)aggregate.Count, MidpointRounding.AwayFromZero);
            _observations.Add(new RpiObservation(aggregate.Rpi, aggregate.Aem, aggregate.FirstMs, aggregate.LastMs, typical, (byte)aggregate.Min));
        }

        // A stable order makes linking (and ids) independent of dictionary layout. Sightings arrive in time
        // order, so the RPIs are usually in order of first sighting already: checked in one pass.
        var observations = CollectionsMarshal.AsSpan(_observations);
        for (var i = 1; i < observations.Length; i++)
        {
            if (IsAfter(observations[i - 1], observations[i]))
            {
                SortByFirstSighting(observations);
                break;
            }
        }

        var otherClose = 0;
        if (_otherAddresses.Count > 0)
        {
            foreach (var attenuation in _otherAddresses.Values)
            {
                otherClose += attenuation <= _closeMaxDb ? 1 : 0;
            }
        }

        _instances.Clear();
        _updates.Clear();
        _scanSequence++;
        _linker.OnScan(_scanSequence, _scanStartMs, sinceLast, _observations, ref _nextEncounterId, _instances, _updates);
        var linkWindowMs = _linkWindowMs;
        _others.OnScan(_scanStartMs, _scanLastMs, sinceLast, _otherAddresses.Count, linkWindowMs, ref _nextEncounterId, _updates);
        _closeOthers.OnScan(_scanStartMs, _scanLastMs, sinceLast, otherClose, linkWindowMs, ref _nextEncounterId, _updates);

        var heard = _aggregates.Count;
        var summary = new ScanSummary(_scanStartMs, _scanLastMs, sinceLast, heard, _otherAddresses.Count, otherClose);
        _aggregates.Clear();
        _lastSlot = -1;
        ClearRpiIndex();

        if (_otherAddresses.Count > 0)
        {
            _otherAddresses.Clear();
        }

        _log.Record(summary, CollectionsMarshal.AsSpan(_instances), CollectionsMarshal.AsSpan(_updates));
    }

    private static int ByFirstSighting(RpiObservation a, RpiObservation b) =>
        a.FirstUnixMs != b.FirstUnixMs ? a.FirstUnixMs.CompareTo(b.FirstUnixMs) : a.Rpi.CompareTo(b.Rpi);

    private static bool IsAfter(in RpiObservation a, in RpiObservation b) => ByFirstSighting(a, b) > 0;

    /// <summary>
    /// Sorts a scan's observations by first sighting. The order is total (one observation per RPI), so every
    /// sort gives the same result. The senders of a simulated scan are heard one after the other at random
    /// offsets, so nearly every scan needs sorting; a scan holds a handful of RPIs, which an insertion sort
    /// takes without the delegate call per comparison of <see cref="MemoryExtensions.Sort{T}(Span{T}, Comparison{T})"/>.
    /// </summary>
    private static void SortByFirstSighting(Span<RpiObservation> observations)
    {
        if (observations.Length > 32)
        {
            // A method group of a static method is cached: sorting with a struct IComparer would box it and
            // make a delegate at every call.
            observations.Sort(ByFirstSighting);
            return;
        }

        for (var i = 1; i < observations.Length; i++)
        {
            var item = observations[i];
            var j = i - 1;
            for (; j >= 0 && IsAfter(observations[j], item); j--)
            {
                observations[j + 1] = observations[j];
            }

            observations[j + 1] = item;
        }
    }

    /// <summary>A run of one sender's sightings, however they were handed over: each one's time and RSSI.</summary>
    private interface ISightings
    {
        int Count { get; }

        long UnixMs(int index);

        int Rssi(int index);
    }

    private readonly ref struct Advertisements(ReadOnlySpan<ReceivedAdvertisement> run) : ISightings
    {
        private readonly ReadOnlySpan<ReceivedAdvertisement> _run = run;

        public int Count => _run.Length;

        public long UnixMs(int index) => _run[index].Time.ToUnixTimeMilliseconds();

        public int Rssi(int index) => _run[index].Rssi;
    }

    private readonly ref struct Columns(ReadOnlySpan<long> utcTicks, ReadOnlySpan<int> rssi) : ISightings
    {
        private const long UnixEpochMs = 62_135_596_800_000; // DateTimeOffset.UnixEpoch in milliseconds since 0001-01-01

        private readonly ReadOnlySpan<long> _utcTicks = utcTicks;
        private readonly ReadOnlySpan<int> _rssi = rssi;

        public int Count => _utcTicks.Length;

        /// <summary>
        /// As <see cref="DateTimeOffset.ToUnixTimeMilliseconds"/> of the time at these ticks: they are never
        /// negative (checked on the way in), so an unsigned division gives the same and costs less.
        /// </summary>
        public long UnixMs(int index) => (long)((ulong)_utcTicks[index] / TimeSpan.TicksPerMillisecond) - UnixEpochMs;

        public int Rssi(int index) => _rssi[index];
    }

    /// <summary>What a run of sightings adds to one scan.</summary>
    private struct RunPart
    {
        public static readonly RunPart Empty = new() { Min = int.MaxValue, FirstMs = long.MaxValue, LastMs = long.MinValue };

        public long Sum;
        public int Count;
        public int Min;
        public long FirstMs;
        public long LastMs;
    }

    private struct RpiAggregate
    {
        public RollingProximityIdentifier Rpi;
        public AssociatedEncryptedMetadata Aem;
        public long FirstMs;
        public long LastMs;
        public long Sum;
        public int Count;
        public int Min;
    }
}

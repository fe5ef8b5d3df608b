using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Bluezone.Device.Radio;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Identity;

/// <summary>What the phone broadcasts from <see cref="Since"/> until <see cref="Until"/>.</summary>
public sealed record Broadcast(IntervalNumber Interval, BluezoneAdvertisement Advertisement, BluetoothAddress Address, DateTimeOffset Since, DateTimeOffset Until);

/// <summary>
/// A <see cref="Broadcast"/> as a value, its times in UTC ticks: what the device needs at each rotation. A
/// device rotates 144 times a day and keeps what it broadcasts for its whole life, so an object per rotation
/// was a young object held by an old one at every rotation of every phone of a simulated city.
/// </summary>
/// <param name="Rotation">Counts the broadcasts made by one <see cref="RotatingIdentity"/>: a new value is a new broadcast.</param>
internal readonly record struct OnAir(IntervalNumber Interval, BluezoneAdvertisement Advertisement, BluetoothAddress Address, long SinceTicks, long UntilTicks, long Rotation)
{
    public Broadcast ToBroadcast() =>
        new(Interval, Advertisement, Address, new DateTimeOffset(SinceTicks, TimeSpan.Zero), new DateTimeOffset(UntilTicks, TimeSpan.Zero));
}

/// <summary>
/// The phone's current identity on the air: the RPI of the current interval with its AEM (metadata carrying
/// the phone's calibrated transmit power) and a random address. Both change together at each interval
/// boundary plus a random offset (<see cref="IdentityOptions.MaxRotationOffset"/>); until then the previous
/// interval's RPI stays on the air, which receivers accept (±2 h tolerance).
/// </summary>
public sealed class RotatingIdentity
{
    private readonly OwnKeyRing _keys;
    private readonly AdvertisementMetadata _metadata;
    private readonly Random _jitter;
    private readonly RandomNumberGenerator _addressRandom;
    private readonly long _maxOffsetMs;

    // The rotation offsets drawn for the boundaries around now, as a Dictionary<int, TimeSpan> kept them
    // (same draws, same forgetting) in two small arrays: a handful of entries are looked along, not hashed.
    private int[] _offsetIntervals = new int[16];
    private long[] _offsetTicks = new long[16];
    private int _offsetCount;

    private OnAir _onAir; // [SinceTicks, UntilTicks) is empty (0, 0) until the first broadcast and after a reset
    private long _rotations;
    private Broadcast? _current; // a broadcast as At returns it, made on its first request
    private long _currentRotation; // which broadcast _current is
    private readonly RollingProximityIdentifier[] _dayRpis = new RollingProximityIdentifier[IntervalNumber.PerDay];
    private readonly AssociatedEncryptedMetadata[] _dayAems = new AssociatedEncryptedMetadata[IntervalNumber.PerDay];
    private byte[]? _rpik;
    private byte[]? _aemk;
    private TemporaryExposureKey? _derivedFrom;

    /// <param name="jitter">Draws the rotation offsets.</param>
    /// <param name="addressRandom">Draws the random addresses; null for the platform's cryptographic generator.</param>
    public RotatingIdentity(OwnKeyRing keys, AdvertisementMetadata metadata, IdentityOptions options, Random jitter, RandomNumberGenerator? addressRandom = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(jitter);
        options.Validate();
        _keys = keys;
        _metadata = metadata;
        _jitter = jitter;
        _addressRandom = addressRandom ?? RandomNumberGenerator.Create();
        _maxOffsetMs = (long)options.MaxRotationOffset.TotalMilliseconds;
    }

    public AdvertisementMetadata Metadata => _metadata;

    /// <summary>When the RPI of <paramref name="interval"/> replaces the previous one: its start plus this boundary's offset.</summary>
    public DateTimeOffset RotationTime(IntervalNumber interval) => new(RotationTicks(interval), TimeSpan.Zero);

    /// <summary><see cref="RotationTime"/> in UTC ticks.</summary>
    private long RotationTicks(IntervalNumber interval) => interval.StartTime.UtcTicks + OffsetTicksOf(interval.Value);

    private long OffsetTicksOf(int interval)
    {
        for (var i = 0; i < _offsetCount; i++)
        {
            if (_offsetIntervals[i] == interval)
            {
                return _offsetTicks[i];
            }
        }

        var offset = TimeSpan.FromMilliseconds(_maxOffsetMs == 0 ? 0 : _jitter.NextInt64(_maxOffsetMs + 1)).Ticks;
        if (_offsetCount == _offsetIntervals.Length)
        {
            Array.Resize(ref _offsetIntervals, _offsetCount * 2);
            Array.Resize(ref _offsetTicks, _offsetCount * 2);
        }

        _offsetIntervals[_offsetCount] = interval;
        _offsetTicks[_offsetCount] = offset;
        _offsetCount++;
        if (_offsetCount > 8)
        {
            // Only the boundaries around now matter; keep the table tiny.
            var kept = 0;
            for (var i = 0; i < _offsetCount; i++)
            {
                if (_offsetIntervals[i] >= interval - 2)
                {
                    _offsetIntervals[kept] = _offsetIntervals[i];
                    _offsetTicks[kept] = _offsetTicks[i];
                    kept++;
                }
            }

            _offsetCount = kept;
        }

        return offset;
    }

    /// <summary>The broadcast at <paramref name="now"/>; a new address is drawn only when the RPI changes.</summary>
    public Broadcast At(DateTimeOffset now)
    {
        var onAir = OnAirAt(now.UtcTicks);
        if (_current is null || _currentRotation != onAir.Rotation)
        {
            _current = onAir.ToBroadcast();
            _currentRotation = onAir.Rotation;
        }

        return _current;
    }

    /// <summary>
    /// What is on the air at <paramref name="utcTicks"/>, as <see cref="At"/> without an object: the device asks
    /// at every rotation and keeps what it gets.
    /// </summary>
    internal OnAir OnAirAt(long utcTicks)
    {
        // The broadcast changes 144 times a day; between its changes this is two comparisons.
        if (utcTicks >= _onAir.SinceTicks && utcTicks < _onAir.UntilTicks)
        {
            return _onAir;
        }

        var now = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        var interval = IntervalNumber.FromTime(now);
        var rotation = RotationTicks(interval);
        var broadcasting = utcTicks >= rotation ? interval : interval - 1;
        var since = utcTicks >= rotation ? rotation : RotationTicks(interval - 1);
        var until = utcTicks >= rotation ? RotationTicks(interval + 1) : rotation;

        var key = _keys.KeyFor(broadcasting);
        if (!ReferenceEquals(key, _derivedFrom))
        {
            // A key's 144 identifiers at once (one AES key schedule, not one per rotation), and one cipher
            // for the metadata of all of them: a phone rotates 144 times a day, a simulated city millions.
            _rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key.KeyData);
            _aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.KeyData);
            RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(_rpik, key.RollingStartIntervalNumber, _dayRpis);
            RollingProximityIdentifierGenerator.EncryptMetadata(_aemk, _dayRpis, _metadata, _dayAems);
            _derivedFrom = key;
        }

        var index = broadcasting.Value - key.RollingStartIntervalNumber.Value;
        RollingProximityIdentifier rpi;
        AssociatedEncryptedMetadata aem;
        if ((uint)index < IntervalNumber.PerDay)
        {
            rpi = _dayRpis[index];
            aem = _dayAems[index];
        }
        else
        {
            // A key that does not start at its day's first interval (never made by OwnKeyRing): one at a time.
            rpi = KeySchedule.ComputeRollingProximityIdentifier(_rpik, broadcasting);
            Span<byte> plain = stackalloc byte[AdvertisementMetadata.Length];
            _metadata.WriteTo(plain);
            aem = KeySchedule.EncryptMetadata(_aemk, rpi, plain);
        }

        _onAir = new OnAir(broadcasting, new BluezoneAdvertisement(rpi, aem), BluetoothAddress.NewNonResolvablePrivate(_addressRandom), since, until, ++_rotations);
        return _onAir;
    }

    /// <summary>Forgets the derived keys and the current broadcast (after a wipe).</summary>
    public void Reset()
    {
        _current = null;
        _onAir = default; // an empty range: the next At computes anew
        _derivedFrom = null;
        if (_rpik is not null)
        {
            CryptographicOperations.ZeroMemory(_rpik);
            CryptographicOperations.ZeroMemory(_aemk);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_dayRpis.AsSpan()));
        }
    }
}

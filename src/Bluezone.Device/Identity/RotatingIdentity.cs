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
    private readonly Dictionary<int, TimeSpan> _offsets = [];
    private Broadcast? _current;
    private long _currentSinceTicks; // _current's [Since, Until) in UTC ticks; empty while _current is null
    private long _currentUntilTicks;
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
    public DateTimeOffset RotationTime(IntervalNumber interval)
    {
        if (!_offsets.TryGetValue(interval.Value, out var offset))
        {
            offset = TimeSpan.FromMilliseconds(_maxOffsetMs == 0 ? 0 : _jitter.NextInt64(_maxOffsetMs + 1));
            _offsets[interval.Value] = offset;
            if (_offsets.Count > 8)
            {
                // Only the boundaries around now matter; keep the table tiny.
                foreach (var old in _offsets.Keys)
                {
                    if (old < interval.Value - 2)
                    {
                        _offsets.Remove(old); // allowed while enumerating a Dictionary
                    }
                }
            }
        }

        return interval.StartTime + offset;
    }

    /// <summary>The broadcast at <paramref name="now"/>; a new address is drawn only when the RPI changes.</summary>
    public Broadcast At(DateTimeOffset now)
    {
        // The device asks at every wake; the broadcast changes 144 times a day. Ticks, not DateTimeOffsets, are compared.
        var ticks = now.UtcTicks;
        if (ticks >= _currentSinceTicks && ticks < _currentUntilTicks)
        {
            return _current!;
        }

        var interval = IntervalNumber.FromTime(now);
        var rotation = RotationTime(interval);
        var broadcasting = now >= rotation ? interval : interval - 1;
        var since = now >= rotation ? rotation : RotationTime(interval - 1);
        var until = now >= rotation ? RotationTime(interval + 1) : rotation;

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
        _current = new Broadcast(broadcasting, new BluezoneAdvertisement(rpi, aem), BluetoothAddress.NewNonResolvablePrivate(_addressRandom), since, until);
        _currentSinceTicks = since.UtcTicks;
        _currentUntilTicks = until.UtcTicks;
        return _current;
    }

    /// <summary>Forgets the derived keys and the current broadcast (after a wipe).</summary>
    public void Reset()
    {
        _current = null;
        _currentSinceTicks = _currentUntilTicks = 0; // an empty range: the next At computes anew
        _derivedFrom = null;
        if (_rpik is not null)
        {
            CryptographicOperations.ZeroMemory(_rpik);
            CryptographicOperations.ZeroMemory(_aemk);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_dayRpis.AsSpan()));
        }
    }
}

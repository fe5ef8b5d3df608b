using System.Security.Cryptography;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Identity;

/// <summary>
/// The phone's own temporary exposure keys: one per UTC day, created the first time that day needs one,
/// saved (sealed) before first use, and kept for 14 days — the keys an F0 or F1 would publish.
/// </summary>
public sealed class OwnKeyRing
{
    private readonly IOwnKeyStore _store;
    private readonly RandomNumberGenerator? _random;
    private readonly SortedList<int, TemporaryExposureKey> _keys = [];

    /// <param name="random">Source of key bytes; null for the platform's cryptographic generator.</param>
    public OwnKeyRing(IOwnKeyStore store, RandomNumberGenerator? random = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _random = random;
        Reload();
    }

    /// <summary>The keys held, oldest first.</summary>
    public IReadOnlyList<TemporaryExposureKey> Keys => _keys.Values.ToArray();

    /// <summary>The key of the UTC day containing <paramref name="interval"/>, created and saved if it does not exist.</summary>
    public TemporaryExposureKey KeyFor(IntervalNumber interval)
    {
        var dayStart = interval.DayStart;
        if (_keys.TryGetValue(dayStart.Value, out var key))
        {
            return key;
        }

        key = TemporaryExposureKey.Generate(dayStart, _random);
        _store.SaveOwnKey(key); // saved before its first RPI is broadcast, so a crash cannot lose a broadcast key
        _keys.Add(dayStart.Value, key);
        return key;
    }

    /// <summary>Forgets keys older than the retention window in memory (the store purges its own copy).</summary>
    public void Forget(DateOnly today, int retentionDays)
    {
        var oldestKept = IntervalNumber.FirstOfDay(today.AddDays(-(retentionDays - 1))).Value;
        while (_keys.Count > 0 && _keys.Keys[0] < oldestKept)
        {
            _keys.RemoveAt(0);
        }
    }

    /// <summary>Reads the keys from the store again (after a wipe).</summary>
    public void Reload()
    {
        _keys.Clear();
        foreach (var key in _store.LoadOwnKeys())
        {
            _keys[key.RollingStartIntervalNumber.Value] = key;
        }
    }
}

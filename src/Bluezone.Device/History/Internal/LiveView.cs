using System.Runtime.InteropServices;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;

namespace Bluezone.Device.History.Internal;

/// <summary>
/// Who was heard in the last 60 s, by address. This is the only place an address of another device is held,
/// and an entry is dropped once it is older than the window, so no address outlives 60 s in memory.
/// </summary>
internal sealed class LiveView(ProximityOptions proximity)
{
    public const long WindowMs = 60_000;

    private readonly Dictionary<BluetoothAddress, Entry> _entries = [];
    private readonly List<BluetoothAddress> _expired = [];
    private long _oldestMs = long.MaxValue; // no entry is older (a lower bound: entries only get newer)

    // A sender is heard many times in a row within a scan: its run is merged here and written to the table
    // once. Replacing "if not older" composes: a run leaves the table as its newest observation would alone.
    private bool _hasPending;
    private BluetoothAddress _pendingAddress;
    private Entry _pending;

    public int Count
    {
        get
        {
            WritePending();
            return _entries.Count;
        }
    }

    /// <summary>No entry expires before this time (unix ms): until then <see cref="Forget"/> has nothing to do.</summary>
    public long ExpiryDueMs
    {
        get
        {
            var oldest = _hasPending ? Math.Min(_oldestMs, _pending.LastMs) : _oldestMs;
            return oldest == long.MaxValue ? long.MaxValue : oldest + WindowMs;
        }
    }

    public void Observe(BluetoothAddress address, long unixMs, bool isBluezone, int attenuation)
    {
        if (_hasPending && _pendingAddress == address)
        {
            if (unixMs >= _pending.LastMs)
            {
                _pending = new Entry(unixMs, isBluezone, attenuation);
            }

            return;
        }

        WritePending();
        _hasPending = true;
        _pendingAddress = address;
        _pending = new Entry(unixMs, isBluezone, attenuation);
    }

    private void WritePending()
    {
        if (!_hasPending)
        {
            return;
        }

        _hasPending = false;
        var (unixMs, isBluezone, attenuation) = _pending;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, _pendingAddress, out _);
        if (unixMs >= entry.LastMs)
        {
            entry = new Entry(unixMs, isBluezone, attenuation);
            _oldestMs = Math.Min(_oldestMs, unixMs);
        }
    }

    public void Forget(long nowMs)
    {
        WritePending();
        if (_oldestMs > nowMs - WindowMs)
        {
            return; // nothing can have expired: the device asks many times a second
        }

        _expired.Clear();
        _oldestMs = long.MaxValue;
        foreach (var (address, entry) in _entries)
        {
            if (entry.LastMs <= nowMs - WindowMs)
            {
                _expired.Add(address);
            }
            else
            {
                _oldestMs = Math.Min(_oldestMs, entry.LastMs);
            }
        }

        foreach (var address in _expired)
        {
            _entries.Remove(address);
        }
    }

    /// <summary>Clears everything (a wipe).</summary>
    public void Clear()
    {
        _hasPending = false;
        _entries.Clear();
        _oldestMs = long.MaxValue;
    }

    public LiveSnapshot Snapshot(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        Forget(nowMs);
        var list = new List<NearbyDevice>(_entries.Count);
        int bluezoners = 0, near = 0;
        foreach (var entry in _entries.Values)
        {
            if (entry.LastMs > nowMs)
            {
                continue; // heard "after" now: a host that asks about the past gets the past
            }

            bluezoners += entry.IsBluezone ? 1 : 0;
            near += proximity.IsClose(entry.Attenuation) ? 1 : 0;
            list.Add(new NearbyDevice(entry.IsBluezone, entry.Attenuation, proximity.BucketOf(entry.Attenuation), DateTimeOffset.FromUnixTimeMilliseconds(entry.LastMs)));
        }

        list.Sort(static (a, b) => a.Attenuation.CompareTo(b.Attenuation));
        return new LiveSnapshot(now, list.Count, bluezoners, near, list.Count - near, list);
    }

    private readonly record struct Entry(long LastMs, bool IsBluezone, int Attenuation);
}

using System.Numerics;
using Bluezone.Device.Internal;
using Bluezone.Device.Proximity;
using Bluezone.Device.Radio;

namespace Bluezone.Device.History.Internal;

/// <summary>
/// Who was heard in the last 60 s, by address. This is the only place an address of another device is held,
/// and an entry is dropped once it is older than the window, so no address outlives 60 s in memory.
/// </summary>
/// <remarks>
/// Every scan adds the addresses it hears and, minutes later, the next scan drops them all: that churn is
/// the hot path, so the entries are structs in a slot array found through an open-addressing index of ints
/// (no references for the GC, nothing allocated once grown). A freed slot is reused last-freed-first and the
/// slots are listed in index order, exactly the order a <c>Dictionary&lt;BluetoothAddress, Entry&gt;</c>
/// enumerated its entries in, so the snapshot's list (an unstable sort by attenuation) comes out as before.
/// </remarks>
internal sealed class LiveView(ProximityOptions proximity)
{
    public const long WindowMs = 60_000;

    private readonly Slots<Entry> _entries = new();

    // Address → slot + 1 (0: empty), linear probing, at most half full. Rebuilt after a forget: a forget
    // usually drops every entry (scans are minutes apart), and otherwise visits them all anyway.
    private int[] _index = [];
    private int _indexShift;

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
                _pending = new Entry(address, unixMs, attenuation, isBluezone, true);
            }

            return;
        }

        WritePending();
        _hasPending = true;
        _pendingAddress = address;
        _pending = new Entry(address, unixMs, attenuation, isBluezone, true);
    }

    private void WritePending()
    {
        if (!_hasPending)
        {
            return;
        }

        _hasPending = false;
        var slot = SlotOrAdd(_pendingAddress); // first: it may grow _entries
        ref var entry = ref _entries[slot];
        if (_pending.LastMs >= entry.LastMs)
        {
            entry = _pending;
            _oldestMs = Math.Min(_oldestMs, _pending.LastMs);
        }
    }

    /// <summary>The address's slot; a new one (address set, heard at 0) if it is not held.</summary>
    private int SlotOrAdd(BluetoothAddress address)
    {
        if (_entries.Count * 2 >= _index.Length)
        {
            Reindex(Math.Max(16, _index.Length * 2));
        }

        var mask = _index.Length - 1;
        var i = HomeOf(address);
        for (; _index[i] != 0; i = (i + 1) & mask)
        {
            if (_entries[_index[i] - 1].Address == address)
            {
                return _index[i] - 1;
            }
        }

        var slot = _entries.Take();
        _entries[slot] = new Entry(address, 0, 0, false, true);
        _index[i] = slot + 1;
        return slot;
    }

    private int HomeOf(BluetoothAddress address) =>
        (int)((address.Value * 0x9E37_79B9_7F4A_7C15UL) >> _indexShift); // Fibonacci hashing: the top bits

    /// <summary>Indexes the held slots afresh in a table of <paramref name="length"/> entries (a power of two).</summary>
    private void Reindex(int length)
    {
        if (_index.Length != length)
        {
            _index = new int[length];
            _indexShift = 64 - BitOperations.Log2((uint)length);
        }
        else
        {
            Array.Clear(_index);
        }

        if (_entries.Count == 0)
        {
            return;
        }

        var mask = length - 1;
        for (var slot = 0; slot < _entries.End; slot++)
        {
            if (_entries[slot].InUse)
            {
                var i = HomeOf(_entries[slot].Address);
                while (_index[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                _index[i] = slot + 1;
            }
        }
    }

    public void Forget(long nowMs)
    {
        WritePending();
        if (_oldestMs > nowMs - WindowMs)
        {
            return; // nothing can have expired: the device asks many times a second
        }

        _oldestMs = long.MaxValue;
        for (var slot = 0; slot < _entries.End; slot++)
        {
            ref var entry = ref _entries[slot];
            if (!entry.InUse)
            {
                continue;
            }

            if (entry.LastMs <= nowMs - WindowMs)
            {
                entry = default; // the address is gone from memory, not only from the index
                _entries.Free(slot);
            }
            else
            {
                _oldestMs = Math.Min(_oldestMs, entry.LastMs);
            }
        }

        Reindex(_index.Length);
    }

    /// <summary>Clears everything (a wipe).</summary>
    public void Clear()
    {
        _hasPending = false;
        _entries.Used.Clear(); // the addresses are gone from memory
        _entries.Clear();
        Array.Clear(_index);
        _oldestMs = long.MaxValue;
    }

    public LiveSnapshot Snapshot(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        Forget(nowMs);
        var list = new List<NearbyDevice>(_entries.Count);
        int bluezoners = 0, near = 0;
        for (var slot = 0; slot < _entries.End; slot++)
        {
            var entry = _entries[slot];
            if (!entry.InUse || entry.LastMs > nowMs)
            {
                continue; // a free slot, or heard "after" now: a host that asks about the past gets the past
            }

            bluezoners += entry.IsBluezone ? 1 : 0;
            near += proximity.IsClose(entry.Attenuation) ? 1 : 0;
            list.Add(new NearbyDevice(entry.IsBluezone, entry.Attenuation, proximity.BucketOf(entry.Attenuation), DateTimeOffset.FromUnixTimeMilliseconds(entry.LastMs)));
        }

        list.Sort(static (a, b) => a.Attenuation.CompareTo(b.Attenuation));
        return new LiveSnapshot(now, list.Count, bluezoners, near, list.Count - near, list);
    }

    private readonly record struct Entry(BluetoothAddress Address, long LastMs, int Attenuation, bool IsBluezone, bool InUse);
}

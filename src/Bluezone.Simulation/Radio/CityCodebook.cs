using System.Buffers;
using System.Buffers.Binary;
using Bluezone.Device.Storage;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// Every identifier the city's phones broadcast, as (sender, slot): a phone's contact log holds four bytes per
/// RPI heard instead of twenty (see <see cref="InMemoryDeviceStore"/>). Slot 1–144 of day d is the sender's
/// key of d at that interval; slot 0 is its key of d − 1 at the last interval, still on the air for a few
/// minutes after midnight (a rotation comes a little after the interval boundary).
/// </summary>
/// <remarks>
/// Encoding looks a heard RPI up in one day's table of all the phones' identifiers (built when every phone has
/// its key of the day, see <see cref="BuildTable"/>), and a hit counts only if the RPI and the AEM are exactly
/// the ones derived from the sender's key, so a code always decodes to what was heard. Decoding derives them
/// again from the key register, which keeps each sender's derived keys for the retention period. Tables and
/// register change only between steps, while no phone runs; phones read them in parallel.
/// </remarks>
internal sealed class CityCodebook : IIdentifierCodebook
{
    public const int SlotsPerSender = IntervalNumber.PerDay + 1;

    /// <summary>Days of keys kept: a store's 14 days, plus the day before its oldest (slot 0) and one spare.</summary>
    public const int RegisterDays = DeviceStore.RetentionDays + 2;

    private const int KeyLength = TemporaryExposureKey.Length;

    private readonly int _senders;
    private readonly Dictionary<int, DayKeys> _register = [];
    private readonly Dictionary<UInt128, (int UnixDay, int Sender)> _senderOfKey = [];

    // The table of one day: identifiers by code (dense sender × SlotsPerSender + slot), and an open-addressing
    // index from an RPI to its code + 1 (0: empty). Arrays are reused from day to day (hundreds of MB at 100,000 people).
    private int _tableDay = int.MinValue;
    private int[] _tableSenders = [];
    private Broadcast[] _broadcasts = [];
    private uint[] _index = [];
    private int _mask;
    private int _tableNumber; // this table's number among all tables built in the process (0: none yet)

    // Numbers tables of every codebook in the process, so that a thread's recent look-ups (t_recent) name the
    // one table they are valid for and nothing has to be cleared when a table changes.
    private static int s_tablesBuilt;

    /// <summary>
    /// This thread's recent look-ups, by RPI: the phones of one place hear the same few senders in one step, so
    /// most look-ups repeat one made a moment before on the same lane; answering them from 64 KB that stay in
    /// the cache saves the index's and the identifiers' cache and TLB misses (the table has millions of entries).
    /// </summary>
    [ThreadStatic]
    private static RecentCode[]? t_recent;

    private const int RecentSize = 2048;

    /// <param name="senders">Senders are numbered 0 to <paramref name="senders"/> − 1 (the city's people).</param>
    public CityCodebook(int senders)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(senders);
        _senders = senders;
    }

    /// <summary>Identifiers in the current table (for measuring).</summary>
    public int TableSize { get; private set; }

    /// <summary>Keeps <paramref name="sender"/>'s key (a day key starting at its day's first interval; others are ignored).</summary>
    public void Register(int sender, TemporaryExposureKey key, AdvertisementMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(key);
        RegisterAll([(sender, key, metadata)]);
    }

    /// <summary>
    /// Keeps many senders' keys (as <see cref="Register"/>), deriving their RPIKs and AEMKs in batches: the
    /// vectorised key derivation does 8 or 16 keys at once, and a city registers tens of thousands a day.
    /// </summary>
    public void RegisterAll(IReadOnlyList<(int Sender, TemporaryExposureKey Key, AdvertisementMetadata Metadata)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        const int Batch = 256;
        var teks = new byte[Batch * KeyLength];
        var rpiks = new byte[Batch * KeyLength];
        var aemks = new byte[Batch * KeyLength];
        var pending = new List<(int Sender, TemporaryExposureKey Key, AdvertisementMetadata Metadata)>(Batch);
        foreach (var entry in keys)
        {
            var (sender, key, _) = entry;
            ArgumentOutOfRangeException.ThrowIfNegative(sender, nameof(keys));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sender, _senders, nameof(keys));
            var start = key.RollingStartIntervalNumber;
            if (start == start.DayStart && key.RollingPeriod == IntervalNumber.PerDay && !DayOf(start.Value / IntervalNumber.PerDay).Has[sender]
                && !pending.Exists(p => p.Sender == sender && p.Key.RollingStartIntervalNumber == start))
            {
                pending.Add(entry);
            }

            if (pending.Count == Batch)
            {
                Flush(pending, teks, rpiks, aemks);
            }
        }

        Flush(pending, teks, rpiks, aemks);
    }

    /// <summary>Whose key of which day <paramref name="keyData"/> is, if the register has it.</summary>
    public bool TryFindSender(ReadOnlySpan<byte> keyData, out int unixDay, out int sender)
    {
        if (keyData.Length == KeyLength && _senderOfKey.TryGetValue(BinaryPrimitives.ReadUInt128BigEndian(keyData), out var found))
        {
            (unixDay, sender) = found;
            return true;
        }

        (unixDay, sender) = (0, 0);
        return false;
    }

    /// <summary>Forgets the keys of days before <paramref name="oldestUnixDay"/>.</summary>
    public void Forget(int oldestUnixDay)
    {
        foreach (var unixDay in _register.Keys.Where(d => d < oldestUnixDay).ToArray())
        {
            _register.Remove(unixDay);
        }

        foreach (var (key, _) in _senderOfKey.Where(k => k.Value.UnixDay < oldestUnixDay).ToArray())
        {
            _senderOfKey.Remove(key);
        }
    }

    /// <summary>
    /// Makes <paramref name="unixDay"/> the day that can be encoded, from the keys registered for it (and the
    /// day before, for slot 0); the previous day's table is dropped.
    /// </summary>
    public void BuildTable(int unixDay)
    {
        _register.TryGetValue(unixDay, out var today);
        _register.TryGetValue(unixDay - 1, out var yesterday);
        var senders = new List<int>();
        for (var sender = 0; sender < _senders; sender++)
        {
            if ((today?.Has[sender] ?? false) || (yesterday?.Has[sender] ?? false))
            {
                senders.Add(sender);
            }
        }

        var codes = senders.Count * SlotsPerSender;
        if (_broadcasts.Length < codes)
        {
            _broadcasts = [];
            _broadcasts = new Broadcast[codes + (codes / 8)];
        }

        _tableSenders = [.. senders];
        var dayStart = new IntervalNumber(unixDay * IntervalNumber.PerDay);
        Parallel.For(0, senders.Count, dense =>
        {
            var sender = senders[dense];
            Span<RollingProximityIdentifier> rpis = stackalloc RollingProximityIdentifier[SlotsPerSender];
            Span<AssociatedEncryptedMetadata> aems = stackalloc AssociatedEncryptedMetadata[SlotsPerSender];
            if (yesterday?.Has[sender] ?? false)
            {
                Derive(yesterday, sender, dayStart - 1, rpis[..1], aems[..1]);
            }

            if (today?.Has[sender] ?? false)
            {
                Derive(today, sender, dayStart, rpis[1..], aems[1..]);
            }

            var row = _broadcasts.AsSpan(dense * SlotsPerSender, SlotsPerSender);
            for (var slot = 0; slot < SlotsPerSender; slot++)
            {
                row[slot] = new Broadcast(rpis[slot], aems[slot]);
            }
        });

        // A third to two thirds of the places taken: linear probing stays short (the index is 64 MB at 60,000 phones).
        var size = (int)Math.Min(1L << 30, Math.Max(16, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, codes + (codes / 2)))));
        if (_index.Length != size)
        {
            _index = [];
            _index = new uint[size];
        }
        else
        {
            Array.Clear(_index);
        }

        _mask = size - 1;
        var count = 0;
        for (var dense = 0; dense < senders.Count; dense++)
        {
            var sender = senders[dense];
            var first = (yesterday?.Has[sender] ?? false) ? 0 : 1;
            var last = (today?.Has[sender] ?? false) ? SlotsPerSender : 1;
            for (var slot = first; slot < last; slot++)
            {
                var code = (dense * SlotsPerSender) + slot;
                var place = PlaceOf(_broadcasts[code].Rpi);
                while (_index[place] != 0)
                {
                    place = (place + 1) & _mask;
                }

                _index[place] = (uint)code + 1;
                count++;
            }
        }

        TableSize = count;
        _tableDay = unixDay;
        _tableNumber = Interlocked.Increment(ref s_tablesBuilt);
    }

    public bool CanEncode(int unixDay) => unixDay == _tableDay;

    public bool TryEncode(int unixDay, RollingProximityIdentifier rpi, AssociatedEncryptedMetadata aem, out IdentifierCode code)
    {
        if (unixDay == _tableDay && Recent(rpi) is var found && found.Sender >= 0 && found.Aem == aem)
        {
            code = new IdentifierCode(found.Sender, found.Slot);
            return true;
        }

        code = default;
        return false;
    }

    public bool Knows(int unixDay, RollingProximityIdentifier rpi) => unixDay == _tableDay && Recent(rpi).Sender >= 0;

    public void Decode(int unixDay, int sender, ReadOnlySpan<byte> slots, Span<RollingProximityIdentifier> rpis, Span<AssociatedEncryptedMetadata> aems)
    {
        if (rpis.Length != slots.Length || aems.Length != slots.Length)
        {
            throw new ArgumentException("One RPI and one AEM per slot.", nameof(rpis));
        }

        int low = int.MaxValue, high = -1;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] == 0)
            {
                var yesterday = KeysOf(unixDay - 1, sender);
                Derive(yesterday, sender, new IntervalNumber((unixDay * IntervalNumber.PerDay) - 1), rpis.Slice(i, 1), aems.Slice(i, 1));
            }
            else if (slots[i] >= SlotsPerSender)
            {
                throw new ArgumentOutOfRangeException(nameof(slots), $"Slot {slots[i]} is not a slot of this codebook.");
            }
            else
            {
                low = Math.Min(low, slots[i]);
                high = Math.Max(high, slots[i]);
            }
        }

        if (high < 0)
        {
            return;
        }

        // The sender's identifiers from the lowest slot asked to the highest, in one call; then the AEMs of those asked.
        var today = KeysOf(unixDay, sender);
        Span<RollingProximityIdentifier> run = stackalloc RollingProximityIdentifier[high - low + 1];
        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(
            today.Rpiks.AsSpan(sender * KeyLength, KeyLength), new IntervalNumber((unixDay * IntervalNumber.PerDay) + low - 1), run);

        // Rented, not allocated: a full match decodes a phone's whole log, sender by sender.
        var picked = ArrayPool<RollingProximityIdentifier>.Shared.Rent(slots.Length);
        var pickedAems = ArrayPool<AssociatedEncryptedMetadata>.Shared.Rent(slots.Length);
        try
        {
            var n = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] != 0)
                {
                    picked[n++] = run[slots[i] - low];
                }
            }

            RollingProximityIdentifierGenerator.EncryptMetadata(today.Aemks.AsSpan(sender * KeyLength, KeyLength), picked.AsSpan(0, n), today.Metadata[sender], pickedAems.AsSpan(0, n));
            n = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] != 0)
                {
                    rpis[i] = picked[n];
                    aems[i] = pickedAems[n++];
                }
            }
        }
        finally
        {
            ArrayPool<RollingProximityIdentifier>.Shared.Return(picked);
            ArrayPool<AssociatedEncryptedMetadata>.Shared.Return(pickedAems);
        }
    }

    private void Flush(List<(int Sender, TemporaryExposureKey Key, AdvertisementMetadata Metadata)> pending, byte[] teks, byte[] rpiks, byte[] aemks)
    {
        var n = pending.Count;
        for (var i = 0; i < n; i++)
        {
            pending[i].Key.KeyData.CopyTo(teks.AsSpan(i * KeyLength));
        }

        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(teks.AsSpan(0, n * KeyLength), rpiks.AsSpan(0, n * KeyLength));
        RollingProximityIdentifierGenerator.DeriveAssociatedEncryptedMetadataKeys(teks.AsSpan(0, n * KeyLength), aemks.AsSpan(0, n * KeyLength));
        for (var i = 0; i < n; i++)
        {
            var (sender, key, metadata) = pending[i];
            var unixDay = key.RollingStartIntervalNumber.Value / IntervalNumber.PerDay;
            var day = DayOf(unixDay);
            rpiks.AsSpan(i * KeyLength, KeyLength).CopyTo(day.Rpiks.AsSpan(sender * KeyLength));
            aemks.AsSpan(i * KeyLength, KeyLength).CopyTo(day.Aemks.AsSpan(sender * KeyLength));
            day.Metadata[sender] = metadata;
            day.Has[sender] = true;
            _senderOfKey[BinaryPrimitives.ReadUInt128BigEndian(key.KeyData)] = (unixDay, sender);
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(teks);
        pending.Clear();
    }

    private DayKeys DayOf(int unixDay)
    {
        if (!_register.TryGetValue(unixDay, out var day))
        {
            day = new DayKeys(_senders);
            _register.Add(unixDay, day);
        }

        return day;
    }

    private static void Derive(DayKeys keys, int sender, IntervalNumber first, Span<RollingProximityIdentifier> rpis, Span<AssociatedEncryptedMetadata> aems)
    {
        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(keys.Rpiks.AsSpan(sender * KeyLength, KeyLength), first, rpis);
        RollingProximityIdentifierGenerator.EncryptMetadata(keys.Aemks.AsSpan(sender * KeyLength, KeyLength), rpis, keys.Metadata[sender], aems);
    }

    private DayKeys KeysOf(int unixDay, int sender) =>
        _register.TryGetValue(unixDay, out var keys) && keys.Has[sender]
            ? keys
            : throw new InvalidOperationException($"The codebook has no key of sender {sender} for day {unixDay}: a log holds a code the codebook has forgotten.");

    /// <summary>What the table says of <paramref name="rpi"/>, from this thread's recent look-ups if it is there.</summary>
    private RecentCode Recent(RollingProximityIdentifier rpi)
    {
        var recent = t_recent ??= new RecentCode[RecentSize];
        ref var entry = ref recent[(int)rpi.High & (RecentSize - 1)];
        if (entry.Table != _tableNumber || entry.Rpi != rpi)
        {
            var found = Find(rpi);
            entry = found < 0
                ? new RecentCode(rpi, _tableNumber, -1, 0, default)
                : new RecentCode(rpi, _tableNumber, _tableSenders[found / SlotsPerSender], (byte)(found % SlotsPerSender), _broadcasts[found].Aem);
        }

        return entry;
    }

    private int Find(RollingProximityIdentifier rpi)
    {
        if (_index.Length == 0)
        {
            return -1;
        }

        for (var place = PlaceOf(rpi); _index[place] != 0; place = (place + 1) & _mask)
        {
            var code = (int)(_index[place] - 1);
            if (_broadcasts[code].Rpi == rpi)
            {
                return code;
            }
        }

        return -1;
    }

    /// <summary>RPIs are AES output: their low bits are already uniform.</summary>
    private int PlaceOf(RollingProximityIdentifier rpi) => (int)(rpi.Low ^ (rpi.High >> 17)) & _mask;

    /// <summary>A look-up of table number <paramref name="Table"/>: the RPI's sender (−1: not in the table), slot and AEM.</summary>
    private readonly record struct RecentCode(RollingProximityIdentifier Rpi, int Table, int Sender, byte Slot, AssociatedEncryptedMetadata Aem);

    /// <summary>An identifier with its AEM, side by side: a look-up checks both in one cache line.</summary>
    private readonly record struct Broadcast(RollingProximityIdentifier Rpi, AssociatedEncryptedMetadata Aem);

    /// <summary>One day's keys of every sender, derived once (RPIK, AEMK) and indexed by sender.</summary>
    private sealed class DayKeys(int senders)
    {
        public byte[] Rpiks { get; } = new byte[senders * KeyLength];

        public byte[] Aemks { get; } = new byte[senders * KeyLength];

        public AdvertisementMetadata[] Metadata { get; } = new AdvertisementMetadata[senders];

        public bool[] Has { get; } = new bool[senders];
    }
}

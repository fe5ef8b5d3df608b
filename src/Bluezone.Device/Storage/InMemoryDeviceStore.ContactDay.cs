using System.Buffers;
using System.Runtime.InteropServices;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Storage;

/// <summary>One day of the in-memory contact log.</summary>
public sealed partial class InMemoryDeviceStore
{
    private const long MsPerDay = 86_400_000;

    /// <summary>An identifier kept in full: heard from a phone the codebook does not know (or with no codebook).</summary>
    private readonly record struct RawIdentifier(RollingProximityIdentifier Rpi, AssociatedEncryptedMetadata Aem);

    /// <summary>A day's tables read back from its stream: what the readers of the log work on.</summary>
    private sealed record DayTables(HeardRpi[] Entries, CompactInstance[] Instances, ScanTime[] Scans, long EncounterBase)
    {
        public ScanInstance Expand(int instance)
        {
            var compact = Instances[instance];
            var heard = Entries[compact.Heard];
            var scan = Scans[compact.Scan];
            return new ScanInstance(heard.Rpi, heard.Aem, scan.StartUnixMs, compact.TypicalAttenuation, compact.MinAttenuation, scan.SecondsSinceLastScan, EncounterBase + heard.EncounterOffset);
        }
    }

    /// <summary>
    /// One day of scan instances. Each distinct (identifier, encounter) is an entry, as before, but an entry is a
    /// source and a slot: with a codebook, a source is a sender and the slot which of its identifiers of the day
    /// (four bytes in all, decoded from the sender's key when the log is read); otherwise, or for an identifier
    /// the codebook does not know, a source is one identifier kept in full. The instances are a
    /// <see cref="ContactStream"/>. While the day is written it also has look-ups (senders, identifiers kept in
    /// full, which slots were heard); once writing moves on they are dropped (<see cref="Seal"/>).
    /// </summary>
    /// <remarks>
    /// The codebook can encode a day only from some point on (a simulation learns its phones' keys of a day after
    /// they first broadcast). Until then the day is written in full; when the codebook can encode it, the day is
    /// rewritten coded. An identifier is therefore never held both ways in one day, so entries stay what the
    /// original store made of the same input, byte for byte of output.
    /// </remarks>
    private sealed class ContactDay(int unixDay, IIdentifierCodebook? codebook, WritingBuffers buffers)
    {
        private List<int> _sources = buffers.TakeSources(); // ≥ 0: a coded sender; < 0: ~index into _raw
        private List<RawIdentifier> _raw = [];
        private ContactStream? _stream = buffers.TakeStream(unixDay * MsPerDay);
        private DayLookups? _lookups = buffers.TakeLookups();
        private byte[] _sealed = [];
        private int _sealedInstances;
        private int _sealedEntries;
        private bool _coded;
        private bool _refusesCodes;

        public int UnixDay { get; } = unixDay;

        public long EncounterBase { get; private set; } = long.MinValue;

        public int Scans { get; set; }

        public EncounterLog Encounters { get; } = new(buffers);

        public int InstanceCount => _stream?.InstanceCount ?? _sealedInstances;

        /// <summary>Distinct RPIs heard this day.</summary>
        public int DistinctRpis => (_stream?.EntryCount ?? _sealedEntries) - RelinkedEntries;

        public bool IsSealed => _stream is null;

        private int RelinkedEntries { get; set; } // entries for an RPI already there with another encounter (rare)

        /// <summary>Bytes held (for measuring the log, not exact to the object header).</summary>
        public long SizeInBytes =>
            _sealed.Length + (_stream?.SizeInBytes ?? 0) + (_sources.Capacity * 4L) + (_raw.Capacity * 24L) + (_lookups?.SizeInBytes ?? 0) + Encounters.SizeInBytes;

        public void Add(in ScanInstance instance)
        {
            if (IsSealed)
            {
                Reopen();
            }

            if (EncounterBase == long.MinValue)
            {
                EncounterBase = instance.EncounterId;
            }

            var offset = checked((int)(instance.EncounterId - EncounterBase));
            var canCode = !_refusesCodes && codebook is not null && codebook.CanEncode(UnixDay);
            if (canCode != _coded)
            {
                Rewrite(canCode);
            }

            int source, slot, entry;
            if (_coded && codebook!.TryEncode(UnixDay, instance.Rpi, instance.Aem, out var code))
            {
                source = SourceOfSender(code.Sender);
                slot = code.Slot;
                entry = CodedEntryOf(source, slot, offset);
            }
            else
            {
                if (_coded && codebook!.Knows(UnixDay, instance.Rpi))
                {
                    // One of the city's RPIs with a foreign AEM: keep the whole day in full (never in a simulation).
                    _refusesCodes = true;
                    Rewrite(coded: false);
                }

                source = SourceOfRaw(new RawIdentifier(instance.Rpi, instance.Aem));
                slot = 0;
                entry = RawEntryOf(source, instance.Rpi, offset);
            }

            _stream!.Add(entry, source, slot, offset, instance.ScanStartUnixMs, instance.SecondsSinceLastScan, instance.TypicalAttenuation, instance.MinAttenuation);
        }

        /// <summary>
        /// The day is no longer written: coded if the codebook can do it now, trimmed to its bytes, look-ups
        /// dropped. Reading stays possible; writing again reopens it.
        /// </summary>
        public void Seal()
        {
            if (IsSealed)
            {
                return;
            }

            var canCode = !_refusesCodes && codebook is not null && codebook.CanEncode(UnixDay);
            if (canCode != _coded)
            {
                Rewrite(canCode);
            }

            _sealed = _stream!.ToArray();
            _sealedInstances = _stream.InstanceCount;
            _sealedEntries = _stream.EntryCount;
            buffers.Give(_stream, _lookups!);
            _stream = null;
            _lookups = null;
            var working = _sources;
            _sources = [.. working];
            buffers.Give(working);
            _raw = _raw.Count == 0 ? [] : [.. _raw];
            Encounters.Seal();
        }

        /// <summary>Whether any coded entry is from a sender whose key of this day or the day before is in <paramref name="published"/>.</summary>
        public bool HeardAnyOf(CodedSenders published)
        {
            var sources = CollectionsMarshal.AsSpan(_sources); // senders, and negative numbers for identifiers in full
            return published.AnyOf(UnixDay, sources) || published.AnyOf(UnixDay - 1, sources);
        }

        /// <summary>The RPIs of this day kept in full (not coded).</summary>
        public void AddUncodedIdentifiers(List<RollingProximityIdentifier> destination)
        {
            foreach (var raw in _raw)
            {
                destination.Add(raw.Rpi);
            }
        }

        /// <summary>The day's tables with every identifier in full (decoding the coded ones).</summary>
        public DayTables Read() => Read(null)!;

        /// <summary>
        /// The day's tables with only the entries whose source <paramref name="keep"/> says yes to (every entry
        /// when null), decoded; the instances of the others are skipped while the stream is read. Entries and
        /// instances keep their order. Returns null when no source is kept, without reading the stream.
        /// </summary>
        public DayTables? Read(PublishedSources? keep)
        {
            var wanted = keep is null ? null : ArrayPool<bool>.Shared.Rent(Math.Max(_sources.Count, 1));
            var bytes = IsSealed ? (ReadOnlySpan<byte>)_sealed : _stream!.Written;
            var entryCount = IsSealed ? _sealedEntries : _stream!.EntryCount;
            var renumbered = keep is null ? null : ArrayPool<int>.Shared.Rent(Math.Max(entryCount, 1));
            try
            {
                if (wanted is not null && !Choose(keep!, wanted))
                {
                    return null;
                }

                var entries = new List<ulong>(entryCount);
                var kept = keep is null ? entries : new List<ulong>();
                var instances = new List<CompactInstance>(keep is null ? InstanceCount : 0);
                var scans = new List<ScanTime>();
                var reader = new ContactReader(bytes, UnixDay * MsPerDay, _sources.Count, entries);
                try
                {
                    while (reader.Next(out var instance))
                    {
                        if (instance.Scan == scans.Count)
                        {
                            scans.Add(new ScanTime(instance.ScanStartMs, instance.Seconds));
                        }

                        var entry = instance.Entry;
                        if (wanted is not null)
                        {
                            if (instance.IsNew)
                            {
                                var packed = entries[entry];
                                renumbered![entry] = wanted[SourceOf(packed)] ? kept.Count : -1;
                                if (renumbered[entry] >= 0)
                                {
                                    kept.Add(packed);
                                }
                            }

                            entry = renumbered![entry];
                            if (entry < 0)
                            {
                                continue;
                            }
                        }

                        instances.Add(new CompactInstance(entry, instance.Scan, instance.Typical, instance.Minimum));
                    }
                }
                finally
                {
                    reader.Dispose();
                }

                var identifiers = new RawIdentifier[kept.Count];
                Resolve(CollectionsMarshal.AsSpan(kept), identifiers);
                var heard = new HeardRpi[kept.Count];
                for (var e = 0; e < heard.Length; e++)
                {
                    heard[e] = new HeardRpi(identifiers[e].Rpi, identifiers[e].Aem, EncounterOffsetOf(kept[e]));
                }

                return new DayTables(heard, [.. instances], [.. scans], EncounterBase);
            }
            finally
            {
                if (wanted is not null)
                {
                    ArrayPool<bool>.Shared.Return(wanted);
                    ArrayPool<int>.Shared.Return(renumbered!);
                }
            }
        }

        /// <summary>Which of the day's sources <paramref name="keep"/> wants; false if none.</summary>
        private bool Choose(PublishedSources keep, bool[] wanted)
        {
            var any = false;
            for (var s = 0; s < _sources.Count; s++)
            {
                var source = _sources[s];
                wanted[s] = source >= 0 ? keep.HeardFrom(UnixDay, source) : keep.IsPublished(_raw[~source].Rpi);
                any |= wanted[s];
            }

            return any;
        }

        /// <summary>The full identifier of each entry: raw ones as kept, coded ones decoded sender by sender.</summary>
        /// <remarks>
        /// The coded entries are grouped by source with a counting sort in rented buffers (a full match decodes a
        /// phone's whole log, day by day), so each sender's slots are decoded in one call without a list per sender.
        /// </remarks>
        private void Resolve(ReadOnlySpan<ulong> entries, Span<RawIdentifier> destination)
        {
            var sourceCount = _sources.Count;
            var ends = ArrayPool<int>.Shared.Rent(sourceCount);
            var order = ArrayPool<int>.Shared.Rent(entries.Length);
            var slots = ArrayPool<byte>.Shared.Rent(entries.Length);
            var rpis = ArrayPool<RollingProximityIdentifier>.Shared.Rent(entries.Length);
            var aems = ArrayPool<AssociatedEncryptedMetadata>.Shared.Rent(entries.Length);
            try
            {
                // Counts per source, then each source's start; filling moves each start to the source's end.
                var counts = ends.AsSpan(0, sourceCount);
                counts.Clear();
                for (var e = 0; e < entries.Length; e++)
                {
                    var source = _sources[SourceOf(entries[e])];
                    if (source < 0)
                    {
                        destination[e] = _raw[~source];
                    }
                    else
                    {
                        counts[SourceOf(entries[e])]++;
                    }
                }

                var start = 0;
                for (var s = 0; s < sourceCount; s++)
                {
                    (counts[s], start) = (start, start + counts[s]);
                }

                for (var e = 0; e < entries.Length; e++)
                {
                    if (_sources[SourceOf(entries[e])] >= 0)
                    {
                        order[ends[SourceOf(entries[e])]++] = e;
                    }
                }

                var begin = 0;
                for (var s = 0; s < sourceCount; s++)
                {
                    var end = ends[s];
                    if (end > begin)
                    {
                        for (var k = begin; k < end; k++)
                        {
                            slots[k] = (byte)SlotOf(entries[order[k]]);
                        }

                        codebook!.Decode(UnixDay, _sources[s], slots.AsSpan(begin, end - begin), rpis.AsSpan(begin, end - begin), aems.AsSpan(begin, end - begin));
                        for (var k = begin; k < end; k++)
                        {
                            destination[order[k]] = new RawIdentifier(rpis[k], aems[k]);
                        }
                    }

                    begin = end;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(ends);
                ArrayPool<int>.Shared.Return(order);
                ArrayPool<byte>.Shared.Return(slots);
                ArrayPool<RollingProximityIdentifier>.Shared.Return(rpis);
                ArrayPool<AssociatedEncryptedMetadata>.Shared.Return(aems);
            }
        }

        /// <summary>Writing a sealed day again (a scan recorded out of order): back to a stream with look-ups.</summary>
        private void Reopen()
        {
            Rewrite(!_refusesCodes && codebook is not null && codebook.CanEncode(UnixDay));
        }

        /// <summary>
        /// Writes the day's stream again, its entries coded (where the codebook knows them) or all in full;
        /// the entries, their order and the instances stay the same.
        /// </summary>
        private void Rewrite(bool coded)
        {
            // The old bytes are read while the (reused) stream is written again: a copy of them in a rented buffer.
            var length = IsSealed ? _sealed.Length : _stream!.Written.Length;
            var copy = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                (IsSealed ? _sealed : _stream!.Written).CopyTo(copy);
                Rewrite(copy.AsSpan(0, length), coded);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        private void Rewrite(ReadOnlySpan<byte> bytes, bool coded)
        {
            var entries = new List<ulong>();
            var oldSources = _sources;

            // First pass: the entries as they are, then each as a new (source, slot).
            var reader = new ContactReader(bytes, UnixDay * MsPerDay, oldSources.Count, entries);
            try
            {
                while (reader.Next(out _))
                {
                }
            }
            finally
            {
                reader.Dispose();
            }

            var identifiers = new RawIdentifier[entries.Count];
            var decoded = false;
            if (!coded && oldSources.Exists(s => s >= 0))
            {
                Resolve(CollectionsMarshal.AsSpan(entries), identifiers);
                decoded = true;
            }

            var newSources = new List<int>();
            var newRaw = new List<RawIdentifier>();
            var senderIndex = new Dictionary<int, int>();
            var rawIndex = new Dictionary<RawIdentifier, int>();
            var mapped = new ulong[entries.Count];
            for (var e = 0; e < entries.Count; e++)
            {
                var old = oldSources[SourceOf(entries[e])];
                var slot = SlotOf(entries[e]);
                int sender;
                RawIdentifier raw = default;
                if (old >= 0 && !decoded)
                {
                    sender = old;
                }
                else
                {
                    raw = decoded ? identifiers[e] : _raw[~old];
                    sender = -1;
                    if (coded && codebook!.TryEncode(UnixDay, raw.Rpi, raw.Aem, out var code))
                    {
                        sender = code.Sender;
                        slot = code.Slot;
                    }
                    else if (coded && codebook!.Knows(UnixDay, raw.Rpi))
                    {
                        _refusesCodes = true;
                        Rewrite(coded: false);
                        return;
                    }
                    else
                    {
                        slot = 0;
                    }
                }

                int source;
                if (sender >= 0)
                {
                    if (!senderIndex.TryGetValue(sender, out source))
                    {
                        source = newSources.Count;
                        senderIndex.Add(sender, source);
                        newSources.Add(sender);
                    }
                }
                else if (!rawIndex.TryGetValue(raw, out source))
                {
                    source = newSources.Count;
                    rawIndex.Add(raw, source);
                    newSources.Add(~newRaw.Count);
                    newRaw.Add(raw);
                }

                mapped[e] = PackEntry(source, slot, EncounterOffsetOf(entries[e]));
            }

            // Second pass: the same instances into the stream again.
            var stream = _stream ?? buffers.TakeStream(UnixDay * MsPerDay);
            stream.Reset(UnixDay * MsPerDay);
            reader = new ContactReader(bytes, UnixDay * MsPerDay, oldSources.Count, entries);
            try
            {
                while (reader.Next(out var instance))
                {
                    var entry = mapped[instance.Entry];
                    stream.Add(instance.Entry, SourceOf(entry), SlotOf(entry), EncounterOffsetOf(entry), instance.ScanStartMs, instance.Seconds, instance.Typical, instance.Minimum);
                }
            }
            finally
            {
                reader.Dispose();
            }

            _sources = newSources;
            _raw = newRaw;
            _stream = stream;
            _coded = coded;
            _lookups ??= buffers.TakeLookups();
            _lookups.Rebuild(_sources, _raw, stream.Entries);
        }

        private int SourceOfSender(int sender)
        {
            ref var source = ref _lookups!.SourceOfSender.SourceOf(sender, out var exists);
            if (!exists)
            {
                source = _sources.Count;
                _sources.Add(sender);
            }

            return source;
        }

        private int SourceOfRaw(RawIdentifier raw)
        {
            ref var source = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookups!.SourceOfRaw, raw, out var exists);
            if (!exists)
            {
                source = _sources.Count;
                _sources.Add(~_raw.Count);
                _raw.Add(raw);
            }

            return source;
        }

        /// <summary>
        /// The entry of a coded identifier in an encounter, as the original store chose it: the existing one if
        /// any, else a new one (counted as relinked if the identifier already had an entry today).
        /// </summary>
        private int CodedEntryOf(int source, int slot, int offset)
        {
            var stream = _stream!;
            if (IsLatestOf(stream, source, slot, offset, out var latest))
            {
                return latest;
            }

            if (_lookups!.MarkSlot(source, slot))
            {
                return stream.EntryCount; // the first time this identifier is heard today
            }

            var existing = stream.Entries.IndexOf(PackEntry(source, slot, offset));
            if (existing >= 0)
            {
                return existing;
            }

            RelinkedEntries++;
            return stream.EntryCount;
        }

        private int RawEntryOf(int source, RollingProximityIdentifier rpi, int offset)
        {
            var stream = _stream!;
            if (IsLatestOf(stream, source, 0, offset, out var latestOfSource))
            {
                return latestOfSource;
            }

            ref var latest = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookups!.LatestRawEntry, rpi, out var exists);
            if (exists)
            {
                var existing = stream.Entries.IndexOf(PackEntry(source, 0, offset));
                if (existing >= 0)
                {
                    return existing;
                }

                RelinkedEntries++;
            }

            latest = stream.EntryCount;
            return latest;
        }

        /// <summary>
        /// Whether the source's latest entry is (<paramref name="slot"/>, <paramref name="offset"/>): its cursor
        /// holds that entry's slot and offset, so the entries themselves are not read (one cache miss less).
        /// </summary>
        private static bool IsLatestOf(ContactStream stream, int source, int slot, int offset, out int latest)
        {
            var cursor = stream.CursorOf(source);
            latest = cursor.LatestEntry;
            return cursor.Seen && cursor.LatestEntry >= 0 && cursor.LastSlot == slot && cursor.LastEncounterOffset == offset;
        }
    }

    /// <summary>The look-ups of a day while it is written.</summary>
    private sealed class DayLookups
    {
        private ulong[] _slots = []; // 256 bits per source: the slots heard today

        public SourcesBySender SourceOfSender { get; } = new();

        public Dictionary<RawIdentifier, int> SourceOfRaw { get; private set; } = [];

        /// <summary>Each RPI kept in full → its newest entry (an RPI heard with two AEMs has two sources).</summary>
        public Dictionary<RollingProximityIdentifier, int> LatestRawEntry { get; private set; } = [];

        public long SizeInBytes => (_slots.Length * 8L) + SourceOfSender.SizeInBytes + ((SourceOfRaw.Count + LatestRawEntry.Count) * 40L);

        /// <summary>Marks a source's slot as heard; false if it already was.</summary>
        public bool MarkSlot(int source, int slot)
        {
            var word = (source * 4) + (slot >> 6);
            if (word >= _slots.Length)
            {
                Array.Resize(ref _slots, Math.Max(word + 1, Math.Max(32, _slots.Length * 2)));
            }

            var bit = 1UL << (slot & 63);
            var fresh = (_slots[word] & bit) == 0;
            _slots[word] |= bit;
            return fresh;
        }

        /// <summary>Empties the look-ups for another day (or a rewrite of this one), keeping their buffers.</summary>
        public void Reset()
        {
            Array.Clear(_slots);
            SourceOfSender.Clear();

            // A simulation writes a day in full only until its codebook can encode it (the day's first step), and
            // codes nearly all of it after: tables of identifiers in full that grew then are not kept all day.
            SourceOfRaw = SourceOfRaw.Count > RawKept ? [] : ClearedOf(SourceOfRaw);
            LatestRawEntry = LatestRawEntry.Count > RawKept ? [] : ClearedOf(LatestRawEntry);
        }

        private const int RawKept = 64;

        private static Dictionary<TKey, int> ClearedOf<TKey>(Dictionary<TKey, int> table)
            where TKey : notnull
        {
            table.Clear();
            return table;
        }

        /// <summary>The look-ups of a day's sources and entries (after <see cref="Reset"/>).</summary>
        public void Rebuild(List<int> sources, List<RawIdentifier> raw, ReadOnlySpan<ulong> entries)
        {
            Reset();
            for (var s = 0; s < sources.Count; s++)
            {
                if (sources[s] >= 0)
                {
                    SourceOfSender.SourceOf(sources[s], out _) = s;
                }
                else
                {
                    SourceOfRaw[raw[~sources[s]]] = s;
                }
            }

            for (var e = 0; e < entries.Length; e++)
            {
                var source = sources[SourceOf(entries[e])];
                if (source >= 0)
                {
                    MarkSlot(SourceOf(entries[e]), SlotOf(entries[e]));
                }
                else
                {
                    LatestRawEntry[raw[~source].Rpi] = e;
                }
            }
        }
    }
}

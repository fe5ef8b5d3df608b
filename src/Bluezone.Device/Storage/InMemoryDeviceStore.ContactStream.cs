using System.Buffers;
using Bluezone.Device.Storage.Internal;

namespace Bluezone.Device.Storage;

/// <summary>The byte format of one day's scan instances (see <see cref="ContactStream"/>).</summary>
public sealed partial class InMemoryDeviceStore
{
    /// <summary>
    /// An entry of a day: one identifier (source and slot) linked to one encounter, as one number: source in the
    /// top 24 bits, slot in the next 8, encounter offset in the low 32.
    /// </summary>
    private static ulong PackEntry(int source, int slot, int encounterOffset) =>
        ((ulong)(uint)source << 40) | ((ulong)(uint)slot << 32) | (uint)encounterOffset;

    private static int SourceOf(ulong entry) => (int)(entry >> 40);

    private static int SlotOf(ulong entry) => (int)((entry >> 32) & 0xFF);

    private static int EncounterOffsetOf(ulong entry) => unchecked((int)(uint)entry);

    /// <summary>
    /// What the stream remembers of a source (a sender, or one identifier kept in full) between its instances:
    /// the next instance of a source is usually its last entry again, or its next slot in the same encounter,
    /// at about the same attenuation — each said in a few bits.
    /// </summary>
    private struct SourceCursor
    {
        public bool Seen;
        public int LatestEntry;
        public int LastSlot;
        public int LastEncounterOffset;
        public byte LastTypical;

        /// <summary>The state before a source's first instance (the same in the writer and the reader).</summary>
        public static SourceCursor First(int lastCreatedOffset) =>
            new() { Seen = true, LatestEntry = -1, LastSlot = -1, LastEncounterOffset = lastCreatedOffset, LastTypical = 60 };
    }

    /// <summary>
    /// One day's scan instances as bytes, in recording order (≈ 2 bytes per instance, ≈ 4 per scan; a
    /// <see cref="Sightings.ScanInstance"/> is 48). A scan starts with a marker byte and its start as a
    /// difference from the last scan's; its seconds follow as a difference from that one rounded to seconds,
    /// unless the marker says they are equal (nearly always). An instance is one byte of source (0–61, or 63 and
    /// a number) and entry kind — 0: the source's last entry; 1: a new entry at the source's next slot in the
    /// same encounter; 2: a new entry, slot and encounter differences follow; 3: an older entry, its distance
    /// back follows — then one byte of typical-attenuation difference from the source's last and typical −
    /// minimum (4 bits each, 15 meaning: the full value follows). Numbers are LEB128, signed ones zig-zag.
    /// Entries are numbered in order of creation, as the original store did.
    /// </summary>
    /// <remarks>
    /// A stream is reused (<see cref="Reset"/>): when its day is sealed the store hands it to the next day written,
    /// buffers and all, so a phone's day no longer allocates its stream, entries and cursors again while they grow.
    /// </remarks>
    private sealed class ContactStream(long dayStartMs)
    {
        public const int ScanField = 62;
        public const int WideSourceField = 63;
        public const int Escape = 15;

        private readonly List<ulong> _entries = [];
        private byte[] _bytes = [];
        private int _length;
        private SourceCursor[] _cursors = [];
        private long _scanStart = dayStartMs;
        private int _seconds;
        private bool _hasScan;
        private int _lastCreatedOffset;

        public int InstanceCount { get; private set; }

        public int EntryCount => _entries.Count;

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public ReadOnlySpan<ulong> Entries => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_entries);

        public SourceCursor CursorOf(int source) => source < _cursors.Length ? _cursors[source] : default;

        /// <summary>Empties the stream for another day, keeping its buffers.</summary>
        public void Reset(long dayStartMs)
        {
            _entries.Clear();
            _length = 0;
            Array.Clear(_cursors);
            _scanStart = dayStartMs;
            _seconds = 0;
            _hasScan = false;
            _lastCreatedOffset = 0;
            InstanceCount = 0;
        }

        /// <summary>The bytes written so far, trimmed (the stream is not written after this).</summary>
        public byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();

        public long SizeInBytes => _bytes.Length + (_cursors.Length * 20L) + (_entries.Capacity * 8L);

        /// <summary>
        /// Appends an instance of <paramref name="entry"/> (<see cref="EntryCount"/> for a new one, created with
        /// <paramref name="source"/>, <paramref name="slot"/> and <paramref name="encounterOffset"/>).
        /// </summary>
        public void Add(int entry, int source, int slot, int encounterOffset, long scanStartMs, int seconds, byte typical, byte minimum)
        {
            if (!_hasScan || scanStartMs != _scanStart || seconds != _seconds)
            {
                // The marker's low bits say whether the seconds are the predicted ones (1) or follow (0).
                var delta = scanStartMs - _scanStart;
                var predicted = seconds == PredictedSeconds(delta);
                WriteByte((byte)((ScanField << 2) | (predicted ? 1 : 0)));
                WriteSigned(delta);
                if (!predicted)
                {
                    WriteSigned(seconds - PredictedSeconds(delta));
                }
                _scanStart = scanStartMs;
                _seconds = seconds;
                _hasScan = true;
            }

            if (source >= _cursors.Length)
            {
                Array.Resize(ref _cursors, Math.Max(source + 1, Math.Max(8, _cursors.Length * 2)));
            }

            ref var cursor = ref _cursors[source];
            if (!cursor.Seen)
            {
                cursor = SourceCursor.First(_lastCreatedOffset);
            }

            var isNew = entry == _entries.Count;
            int kind;
            if (entry == cursor.LatestEntry)
            {
                kind = 0;
            }
            else if (isNew)
            {
                kind = slot == cursor.LastSlot + 1 && encounterOffset == cursor.LastEncounterOffset ? 1 : 2;
            }
            else
            {
                kind = 3;
            }

            var wide = source >= ScanField;
            WriteByte((byte)(((wide ? WideSourceField : source) << 2) | kind));
            if (wide)
            {
                WriteUnsigned((ulong)source);
            }

            if (kind == 2)
            {
                WriteSigned(slot - (cursor.LastSlot + 1));
                WriteSigned((long)encounterOffset - cursor.LastEncounterOffset);
            }
            else if (kind == 3)
            {
                WriteUnsigned((ulong)(_entries.Count - 1 - entry));
            }

            if (isNew)
            {
                _entries.Add(PackEntry(source, slot, encounterOffset));
                _lastCreatedOffset = encounterOffset;
            }
            else
            {
                var known = _entries[entry];
                slot = SlotOf(known);
                encounterOffset = EncounterOffsetOf(known);
            }

            var typicalStep = ZigZag(typical - cursor.LastTypical);
            var spread = typical - minimum;
            var typicalField = typicalStep < Escape ? (int)typicalStep : Escape;
            var spreadField = spread is >= 0 and < Escape ? spread : Escape;
            WriteByte((byte)((typicalField << 4) | spreadField));
            if (typicalField == Escape)
            {
                WriteByte(typical);
            }

            if (spreadField == Escape)
            {
                WriteByte(minimum);
            }

            cursor.LatestEntry = entry;
            cursor.LastSlot = slot;
            cursor.LastEncounterOffset = encounterOffset;
            cursor.LastTypical = typical;
            InstanceCount++;
        }

        private void WriteByte(byte value)
        {
            if (_length == _bytes.Length)
            {
                // Grows by a quarter: a day's stream is a few kilobytes, and thousands of them are written at once.
                Array.Resize(ref _bytes, Math.Max(64, _bytes.Length + (_bytes.Length / 4)));
            }

            _bytes[_length++] = value;
        }

        private void WriteUnsigned(ulong value)
        {
            if (_bytes.Length - _length < VarInt.MaxLength)
            {
                Array.Resize(ref _bytes, Math.Max(64, _bytes.Length + Math.Max(VarInt.MaxLength, _bytes.Length / 4)));
            }

            _length += VarInt.Write(_bytes.AsSpan(_length), value);
        }

        private void WriteSigned(long value) => WriteUnsigned(ZigZag(value));
    }

    private static ulong ZigZag(long value) => VarInt.ZigZag(value);

    private static long UnZigZag(ulong value) => VarInt.UnZigZag(value);

    /// <summary>The seconds a scan stands for are nearly always the time since the last scan's start, rounded.</summary>
    private static long PredictedSeconds(long startDeltaMs) => (startDeltaMs + 500) / 1000;

    /// <summary>One scan instance as read back from a <see cref="ContactStream"/>.</summary>
    private readonly record struct StreamInstance(int Entry, bool IsNew, int Scan, long ScanStartMs, int Seconds, byte Typical, byte Minimum);

    /// <summary>Reads a <see cref="ContactStream"/>'s bytes back in order, rebuilding its entries as it goes.</summary>
    private ref struct ContactReader
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private readonly SourceCursor[] _cursors;
        private readonly List<ulong> _entries;
        private int _position;
        private long _scanStart;
        private int _seconds;
        private int _scan;
        private int _lastCreatedOffset;

        /// <param name="entries">Receives the entries in order of creation (cleared first).</param>
        public ContactReader(ReadOnlySpan<byte> bytes, long dayStartMs, int sources, List<ulong> entries)
        {
            _bytes = bytes;
            _cursors = ArrayPool<SourceCursor>.Shared.Rent(Math.Max(sources, 1));
            Array.Clear(_cursors, 0, Math.Max(sources, 1));
            _entries = entries;
            _entries.Clear();
            _scanStart = dayStartMs;
            _scan = -1;
        }

        public readonly void Dispose() => ArrayPool<SourceCursor>.Shared.Return(_cursors);

        public bool Next(out StreamInstance instance)
        {
            if (_position == _bytes.Length)
            {
                instance = default;
                return false;
            }

            var head = _bytes[_position++];
            while (head >> 2 == ContactStream.ScanField)
            {
                var delta = ReadSigned();
                _seconds = checked((int)(((head & 1) == 1 ? 0 : ReadSigned()) + PredictedSeconds(delta)));
                _scanStart += delta;
                _scan++;
                head = _bytes[_position++];
            }

            var source = head >> 2;
            if (source == ContactStream.WideSourceField)
            {
                source = checked((int)ReadUnsigned());
            }

            ref var cursor = ref _cursors[source];
            if (!cursor.Seen)
            {
                cursor = SourceCursor.First(_lastCreatedOffset);
            }

            int entry;
            var isNew = false;
            switch (head & 3)
            {
                case 0:
                    entry = cursor.LatestEntry;
                    break;
                case 1:
                case 2:
                    var slot = cursor.LastSlot + 1;
                    var offset = cursor.LastEncounterOffset;
                    if ((head & 3) == 2)
                    {
                        slot += (int)ReadSigned();
                        offset = checked((int)(offset + ReadSigned()));
                    }

                    entry = _entries.Count;
                    isNew = true;
                    _entries.Add(PackEntry(source, slot, offset));
                    _lastCreatedOffset = offset;
                    break;
                default:
                    entry = _entries.Count - 1 - (int)ReadUnsigned();
                    break;
            }

            var known = _entries[entry];
            var fields = _bytes[_position++];
            var typical = (fields >> 4) == ContactStream.Escape ? _bytes[_position++] : (byte)(cursor.LastTypical + UnZigZag((ulong)(fields >> 4)));
            var minimum = (fields & 15) == ContactStream.Escape ? _bytes[_position++] : (byte)(typical - (fields & 15));
            cursor.LatestEntry = entry;
            cursor.LastSlot = SlotOf(known);
            cursor.LastEncounterOffset = EncounterOffsetOf(known);
            cursor.LastTypical = typical;
            instance = new StreamInstance(entry, isNew, _scan, _scanStart, _seconds, typical, minimum);
            return true;
        }

        private ulong ReadUnsigned() => VarInt.Read(_bytes, ref _position);

        private long ReadSigned() => UnZigZag(ReadUnsigned());
    }
}

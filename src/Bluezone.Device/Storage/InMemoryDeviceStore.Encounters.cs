using System.Buffers;
using Bluezone.Device.Encounters;
using Bluezone.Device.Storage.Internal;

namespace Bluezone.Device.Storage;

/// <summary>A day's encounter rows, as far as the history reads them.</summary>
public sealed partial class InMemoryDeviceStore
{
    private struct EncounterTally
    {
        public int Bluezone;
        public int BluezoneClose;
        public int Other;
        public int OtherClose;

        public void Add(EncounterKind kind, bool close)
        {
            switch (kind)
            {
                case EncounterKind.Bluezone:
                    Bluezone++;
                    BluezoneClose += close ? 1 : 0;
                    break;
                case EncounterKind.OtherDevice:
                    Other++;
                    break;
                case EncounterKind.OtherCloseDevice:
                    OtherClose += close ? 1 : 0;
                    break;
            }
        }
    }

    /// <summary>
    /// The encounter-day rows of one day, kept as what <see cref="History"/> counts: each row's kind and close
    /// seconds, by encounter id (a row is replaced when its encounter goes on). A finished day holds them as
    /// bytes (id difference, kind, close seconds: ≈ 3 bytes a row instead of a 60-byte dictionary entry).
    /// </summary>
    private sealed class EncounterLog(WritingBuffers buffers)
    {
        private Dictionary<long, (EncounterKind Kind, int CloseSeconds)>? _rows = buffers.TakeRows();
        private byte[] _sealed = [];
        private int _sealedCount;

        public int Count => _rows?.Count ?? _sealedCount;

        /// <summary>Bytes held (a dictionary entry of a long key and a 16-byte value is about 40 bytes).</summary>
        public long SizeInBytes => _sealed.Length + ((_rows?.EnsureCapacity(0) ?? 0) * 40L);

        public void Set(in EncounterDay row)
        {
            Open()[row.EncounterId] = (row.Kind, row.CloseSeconds);
        }

        /// <summary>The history's counts: rows by kind, and those with at least <paramref name="closeSeconds"/> close.</summary>
        public EncounterTally Tally(int closeSeconds)
        {
            var tally = new EncounterTally();
            if (_rows is not null)
            {
                foreach (var (kind, close) in _rows.Values)
                {
                    tally.Add(kind, close >= closeSeconds);
                }

                return tally;
            }

            var reader = new ByteReader(_sealed);
            for (var i = 0; i < _sealedCount; i++)
            {
                reader.ReadUnsigned();
                var kind = (EncounterKind)reader.ReadUnsigned();
                tally.Add(kind, (int)UnZigZag(reader.ReadUnsigned()) >= closeSeconds);
            }

            return tally;
        }

        /// <summary>The day is no longer written: the rows become bytes, ordered by id.</summary>
        public void Seal()
        {
            if (_rows is null)
            {
                return;
            }

            // Ids sorted and bytes written in rented buffers: only the sealed bytes stay.
            var ids = ArrayPool<long>.Shared.Rent(_rows.Count);
            var bytes = ArrayPool<byte>.Shared.Rent(_rows.Count * 3 * VarInt.MaxLength);
            try
            {
                _rows.Keys.CopyTo(ids, 0);
                var sorted = ids.AsSpan(0, _rows.Count);
                sorted.Sort();
                var length = 0;
                long last = 0;
                foreach (var id in sorted)
                {
                    var (kind, close) = _rows[id];
                    length += VarInt.Write(bytes.AsSpan(length), ZigZag(id - last));
                    length += VarInt.Write(bytes.AsSpan(length), (ulong)kind);
                    length += VarInt.Write(bytes.AsSpan(length), ZigZag(close));
                    last = id;
                }

                _sealed = bytes.AsSpan(0, length).ToArray();
            }
            finally
            {
                ArrayPool<long>.Shared.Return(ids);
                ArrayPool<byte>.Shared.Return(bytes);
            }

            _sealedCount = _rows.Count;
            buffers.Give(_rows);
            _rows = null;
        }

        private Dictionary<long, (EncounterKind Kind, int CloseSeconds)> Open()
        {
            if (_rows is not null)
            {
                return _rows;
            }

            // A row of a finished day changed (rare: a day written again): back to a dictionary.
            _rows = buffers.TakeRows();
            var reader = new ByteReader(_sealed);
            long id = 0;
            for (var i = 0; i < _sealedCount; i++)
            {
                id += UnZigZag(reader.ReadUnsigned());
                var kind = (EncounterKind)reader.ReadUnsigned();
                _rows[id] = (kind, (int)UnZigZag(reader.ReadUnsigned()));
            }

            _sealed = [];
            _sealedCount = 0;
            return _rows;
        }

        private ref struct ByteReader(ReadOnlySpan<byte> bytes)
        {
            private readonly ReadOnlySpan<byte> _bytes = bytes;
            private int _position;

            public ulong ReadUnsigned() => VarInt.Read(_bytes, ref _position);
        }
    }
}

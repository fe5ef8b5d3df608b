namespace Bluezone.Device.Storage;

/// <summary>The look-up from a codebook's sender to its source number of the day.</summary>
public sealed partial class InMemoryDeviceStore
{
    /// <summary>
    /// Senders → source numbers, by open addressing in one array of (sender + 1, source) pairs: a look-up costs
    /// one cache miss where a dictionary's buckets and entries cost two, and it runs for every scan instance a
    /// city's phones record. At most half the places are taken, so probes stay short.
    /// </summary>
    private sealed class SourcesBySender
    {
        private const int FirstCapacity = 32;

        private int[] _pairs = new int[2 * FirstCapacity]; // [2p]: sender + 1 (0: free), [2p + 1]: its source
        private int _shift = 32 - 5; // 32 − log2(capacity): Fibonacci hashing takes the top bits

        public int Count { get; private set; }

        public long SizeInBytes => _pairs.Length * 4L;

        public bool Contains(int sender) => _pairs[Place(sender)] != 0;

        /// <summary>The source of <paramref name="sender"/>; a new place (0) if it has none yet.</summary>
        public ref int SourceOf(int sender, out bool exists)
        {
            var place = Place(sender);
            exists = _pairs[place] != 0;
            if (!exists)
            {
                if (2 * (Count + 1) > _pairs.Length / 2)
                {
                    Grow();
                    place = Place(sender);
                }

                _pairs[place] = sender + 1;
                Count++;
            }

            return ref _pairs[place + 1];
        }

        /// <summary>Empties the table, keeping its array.</summary>
        public void Clear()
        {
            Array.Clear(_pairs);
            Count = 0;
        }

        /// <summary>The index in <see cref="_pairs"/> of <paramref name="sender"/>'s pair, or of the free place it would take.</summary>
        private int Place(int sender)
        {
            var mask = (_pairs.Length / 2) - 1;
            for (var place = (int)(((uint)sender * 0x9E3779B9u) >> _shift); ; place = (place + 1) & mask)
            {
                var key = _pairs[2 * place];
                if (key == 0 || key == sender + 1)
                {
                    return 2 * place;
                }
            }
        }

        private void Grow()
        {
            var old = _pairs;
            _pairs = new int[old.Length * 2];
            _shift--;
            for (var i = 0; i < old.Length; i += 2)
            {
                if (old[i] != 0)
                {
                    var place = Place(old[i] - 1);
                    _pairs[place] = old[i];
                    _pairs[place + 1] = old[i + 1];
                }
            }
        }
    }
}

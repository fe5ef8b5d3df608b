namespace Bluezone.Device.Internal;

/// <summary>
/// Values kept in the slots of one growing array, found by slot number; a freed slot is taken again before a new
/// one, the last freed first. A phone's encounter tracks, encounters and live-view entries live here rather than
/// as objects: a simulated city holds tens of thousands of phones, and an object made per RPI heard had every
/// young collection scanning much of the old heap. Visiting the used slots in index order, with this reuse order,
/// is the order a <see cref="Dictionary{TKey, TValue}"/> enumerates its entries in after removals, which the
/// encounter linker relies on to break ties as it always did.
/// </summary>
internal sealed class Slots<T>
    where T : struct
{
    private T[] _items = [];
    private int[] _free = [];
    private int _freeCount;

    /// <summary>Slots [0, End) have been taken at some time; some of them may be free now.</summary>
    public int End { get; private set; }

    /// <summary>Slots taken and not freed.</summary>
    public int Count => End - _freeCount;

    /// <summary>Every slot taken at some time, free ones included (the caller marks which are in use).</summary>
    public Span<T> Used => _items.AsSpan(0, End);

    public ref T this[int slot] => ref _items[slot];

    /// <summary>A slot for a new value: the last one freed, else a new one.</summary>
    public int Take()
    {
        if (_freeCount > 0)
        {
            return _free[--_freeCount];
        }

        if (End == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(8, _items.Length * 2));
        }

        return End++;
    }

    /// <summary>Gives <paramref name="slot"/> back; its value stays as it is until the slot is taken again.</summary>
    public void Free(int slot)
    {
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, Math.Max(8, _free.Length * 2));
        }

        _free[_freeCount++] = slot;
    }

    /// <summary>Frees every slot at once, keeping the arrays.</summary>
    public void Clear()
    {
        End = 0;
        _freeCount = 0;
    }
}

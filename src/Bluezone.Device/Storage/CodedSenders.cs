namespace Bluezone.Device.Storage;

/// <summary>
/// Senders of an <see cref="IIdentifierCodebook"/> whose key of a given day was published: what a simulation
/// checks coded contact logs against (<see cref="InMemoryDeviceStore.HeardAnyOf"/>) without decoding them.
/// Read-only once built, so phones can be checked in parallel.
/// </summary>
/// <remarks>
/// Each day's senders are a bit set. Every phone of a city is checked at every sync, each against the senders
/// it heard on each of 14 days, so a check must cost one bit test per sender heard, whatever the number
/// published (a binary search of the published senders per day took about a percent of a 20,000-person run
/// and grows with the city twice over: more phones checked, more senders published).
/// </remarks>
public sealed class CodedSenders
{
    private readonly Dictionary<int, ulong[]> _byKeyDay;

    /// <param name="keys">Each published key as its day and its sender.</param>
    public CodedSenders(IEnumerable<(int KeyUnixDay, int Sender)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _byKeyDay = [];
        foreach (var (keyDay, sender) in keys)
        {
            if (sender < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(keys), "A sender is a number from 0.");
            }

            if (!_byKeyDay.TryGetValue(keyDay, out var bits) || bits.Length <= sender >> 6)
            {
                var grown = new ulong[Math.Max((sender >> 6) + 1, (bits?.Length ?? 0) * 2)];
                bits?.CopyTo(grown, 0);
                _byKeyDay[keyDay] = bits = grown;
            }

            bits[sender >> 6] |= 1UL << sender;
        }
    }

    public bool IsEmpty => _byKeyDay.Count == 0;

    /// <summary>Whether the key of <paramref name="keyUnixDay"/> of <paramref name="sender"/> was published.</summary>
    public bool Contains(int keyUnixDay, int sender) =>
        _byKeyDay.TryGetValue(keyUnixDay, out var bits) && Has(bits, sender);

    /// <summary>
    /// Whether the key of <paramref name="keyUnixDay"/> of any of <paramref name="senders"/> was published;
    /// negative numbers (not senders) are passed over.
    /// </summary>
    public bool AnyOf(int keyUnixDay, ReadOnlySpan<int> senders)
    {
        if (!_byKeyDay.TryGetValue(keyUnixDay, out var bits))
        {
            return false;
        }

        foreach (var sender in senders)
        {
            if (sender >= 0 && Has(bits, sender))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(ulong[] bits, int sender) => (uint)(sender >> 6) < (uint)bits.Length && (bits[sender >> 6] & (1UL << sender)) != 0;
}

namespace Bluezone.Device.Storage;

/// <summary>
/// Senders of an <see cref="IIdentifierCodebook"/> whose key of a given day was published: what a simulation
/// checks coded contact logs against (<see cref="InMemoryDeviceStore.HeardAnyOf"/>) without decoding them.
/// Read-only once built, so phones can be checked in parallel.
/// </summary>
public sealed class CodedSenders
{
    private readonly Dictionary<int, int[]> _byKeyDay;

    /// <param name="keys">Each published key as its day and its sender.</param>
    public CodedSenders(IEnumerable<(int KeyUnixDay, int Sender)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _byKeyDay = keys
            .GroupBy(k => k.KeyUnixDay, k => k.Sender)
            .ToDictionary(g => g.Key, g => g.Distinct().Order().ToArray());
        if (_byKeyDay.Values.Any(senders => senders[0] < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(keys), "A sender is a number from 0.");
        }
    }

    public bool IsEmpty => _byKeyDay.Count == 0;

    /// <summary>The senders whose key of <paramref name="keyUnixDay"/> was published, ascending, without repeats.</summary>
    public ReadOnlySpan<int> On(int keyUnixDay) => _byKeyDay.TryGetValue(keyUnixDay, out var senders) ? senders : [];
}

using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Matching;

/// <summary>
/// Published keys with all their RPIs derived. Deriving is the expensive half of matching and does not depend
/// on the phone, so it is done once per export and shared: by every phone of a simulation, or by the chunks of
/// one phone's match.
/// </summary>
public sealed class PublishedIdentifiers
{
    private readonly RollingProximityIdentifier[] _identifiers;

    private PublishedIdentifiers(IReadOnlyList<ExportedKey> keys, RollingProximityIdentifier[] identifiers, SightingIndex? index)
    {
        Keys = keys;
        _identifiers = identifiers;
        Index = index;
    }

    public IReadOnlyList<ExportedKey> Keys { get; }

    /// <summary>All 144 RPIs of every key, key by key (a key's slots past its rolling period are never matched).</summary>
    public ReadOnlySpan<RollingProximityIdentifier> Identifiers => _identifiers;

    /// <summary>
    /// An index over <see cref="Identifiers"/> (positions are candidate indexes), when derived with one: then a
    /// log with fewer distinct RPIs than there are identifiers is matched by looking its RPIs up here instead
    /// (<see cref="ExposureMatcher.Match(PublishedIdentifiers, SightingLog)"/>).
    /// </summary>
    public SightingIndex? Index { get; }

    /// <param name="keys">The keys of one export.</param>
    /// <param name="indexed">
    /// Also index the identifiers: worth it when many logs are matched against the same keys and most are small
    /// (a simulated city after each download: a phone's log is read only for the published senders, a few dozen
    /// RPIs against tens of thousands of identifiers). A phone matching its own full log once does without.
    /// </param>
    public static PublishedIdentifiers Derive(IReadOnlyList<ExportedKey> keys, bool indexed = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var identifiers = new RollingProximityIdentifier[keys.Count * IntervalNumber.PerDay];
        Derive(keys, 0, keys.Count, identifiers);
        return new PublishedIdentifiers(keys, identifiers, indexed ? SightingIndex.Build(identifiers) : null);
    }

    /// <summary>Derives keys <c>[first, first + count)</c> into <paramref name="destination"/> (144 per key).</summary>
    internal static void Derive(IReadOnlyList<ExportedKey> keys, int first, int count, Span<RollingProximityIdentifier> destination)
    {
        const int Chunk = 256;
        Span<byte> teks = stackalloc byte[Chunk * TemporaryExposureKey.Length];
        Span<IntervalNumber> starts = stackalloc IntervalNumber[Chunk];
        for (var done = 0; done < count; done += Chunk)
        {
            var n = Math.Min(Chunk, count - done);
            for (var i = 0; i < n; i++)
            {
                var key = keys[first + done + i].Key;
                key.KeyData.CopyTo(teks[(i * TemporaryExposureKey.Length)..]);
                starts[i] = key.RollingStartIntervalNumber;
            }

            RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(
                teks[..(n * TemporaryExposureKey.Length)], starts[..n], destination.Slice(done * IntervalNumber.PerDay, n * IntervalNumber.PerDay));
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(teks);
    }
}

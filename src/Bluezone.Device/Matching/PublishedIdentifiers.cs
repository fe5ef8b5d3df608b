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

    private PublishedIdentifiers(IReadOnlyList<ExportedKey> keys, RollingProximityIdentifier[] identifiers)
    {
        Keys = keys;
        _identifiers = identifiers;
    }

    public IReadOnlyList<ExportedKey> Keys { get; }

    /// <summary>All 144 RPIs of every key, key by key (a key's slots past its rolling period are never matched).</summary>
    public ReadOnlySpan<RollingProximityIdentifier> Identifiers => _identifiers;

    public static PublishedIdentifiers Derive(IReadOnlyList<ExportedKey> keys)
    {
        var identifiers = new RollingProximityIdentifier[keys.Count * IntervalNumber.PerDay];
        Derive(keys, 0, keys.Count, identifiers);
        return new PublishedIdentifiers(keys, identifiers);
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

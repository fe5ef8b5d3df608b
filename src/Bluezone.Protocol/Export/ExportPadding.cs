using System.Security.Cryptography;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Export;

/// <summary>
/// Fills an export with random keys so its size does not reveal how many people reported. Each fake key
/// copies the metadata (rolling start and period, report type, days since onset, transmission risk) of a
/// real key chosen at random, so fakes follow the real keys' distribution and cannot be told apart;
/// Google's server pads the same way (REFERENCE.md).
/// </summary>
public static class ExportPadding
{
    /// <summary>
    /// Returns <paramref name="keys"/> followed by random keys until there are
    /// <paramref name="minimumCount"/> plus a random 0..<paramref name="jitter"/> keys in all. The jitter
    /// hides whether a file was padded. An empty list stays empty: there is no metadata to copy, and an
    /// empty batch is the server's decision, not the padding's.
    /// </summary>
    /// <param name="keys">The real keys; not modified.</param>
    /// <param name="minimumCount">Least number of keys in the result.</param>
    /// <param name="jitter">Largest number of extra keys added above the minimum (inclusive).</param>
    /// <param name="random">Source of key bytes and choices; pass a seeded source to reproduce a result.</param>
    public static IReadOnlyList<ExportedKey> Pad(IReadOnlyList<ExportedKey> keys, int minimumCount, int jitter, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumCount);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)minimumCount + jitter, ExportBinFormat.MaxKeys, nameof(minimumCount));

        if (keys.Count == 0)
        {
            return [];
        }

        var target = minimumCount + UniformRandom.Next(random, jitter + 1);
        if (keys.Count >= target)
        {
            return [.. keys];
        }

        var result = new List<ExportedKey>(target);
        result.AddRange(keys);
        Span<byte> keyData = stackalloc byte[TemporaryExposureKey.Length];
        while (result.Count < target)
        {
            var model = keys[UniformRandom.Next(random, keys.Count)];
            random.GetBytes(keyData);
            var fake = new TemporaryExposureKey(keyData, model.Key.RollingStartIntervalNumber, model.Key.RollingPeriod);
            result.Add(new ExportedKey(fake, model.ReportType, model.DaysSinceOnsetOfSymptoms, model.TransmissionRiskLevel));
        }

        return result;
    }
}

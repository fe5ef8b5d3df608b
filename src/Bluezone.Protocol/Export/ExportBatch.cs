namespace Bluezone.Protocol.Export;

/// <summary>
/// The content of one export file (export.bin): which keys, for which region and time window, and which
/// keys sign it. A batch too large for one file is split into files numbered
/// <see cref="BatchNum"/> of <see cref="BatchSize"/>.
/// </summary>
/// <remarks>
/// <see cref="Keys"/> keeps the order it was given (or read in). Writers sort keys by key bytes so that a
/// file does not reveal upload order (DESIGN.md §7), but readers must not rely on any order: files from
/// other servers need not be sorted.
/// </remarks>
public sealed class ExportBatch
{
    /// <summary>Latest time an export can carry: the end of year 9999, the limit of <see cref="DateTimeOffset"/>.</summary>
    internal const long MaxUnixSeconds = 253_402_300_799;

    /// <param name="region">ISO 3166 region code, e.g. "VN"; not empty.</param>
    /// <param name="startTimestamp">Start of the window the file covers (stored as whole UTC seconds, not before 1970).</param>
    /// <param name="endTimestamp">End of the window, not before the start.</param>
    /// <param name="batchNum">This file's number in its batch, 1-based.</param>
    /// <param name="batchSize">Number of files in the batch.</param>
    /// <param name="signatureInfos">The keys that sign this file (may be empty for an unsigned file).</param>
    /// <param name="keys">The published keys.</param>
    /// <param name="revisedKeys">Keys published before whose report type has changed; usually empty.</param>
    public ExportBatch(
        string region,
        DateTimeOffset startTimestamp,
        DateTimeOffset endTimestamp,
        int batchNum,
        int batchSize,
        IEnumerable<ExportSignatureInfo> signatureInfos,
        IEnumerable<ExportedKey> keys,
        IEnumerable<ExportedKey>? revisedKeys = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(signatureInfos);
        ArgumentNullException.ThrowIfNull(keys);
        if (startTimestamp.ToUnixTimeSeconds() < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startTimestamp), "An export cannot start before 1970.");
        }

        if (endTimestamp < startTimestamp)
        {
            throw new ArgumentException($"The end ({endTimestamp:O}) is before the start ({startTimestamp:O}).", nameof(endTimestamp));
        }

        if (batchSize < 1 || batchNum < 1 || batchNum > batchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(batchNum), $"Batch {batchNum} of {batchSize}: the number must be 1–size and the size at least 1.");
        }

        Region = region;
        StartTimestamp = DateTimeOffset.FromUnixTimeSeconds(startTimestamp.ToUnixTimeSeconds());
        EndTimestamp = DateTimeOffset.FromUnixTimeSeconds(endTimestamp.ToUnixTimeSeconds());
        BatchNum = batchNum;
        BatchSize = batchSize;
        SignatureInfos = CopyWithoutNulls(signatureInfos, nameof(signatureInfos));
        Keys = CopyWithoutNulls(keys, nameof(keys));
        RevisedKeys = revisedKeys is null ? [] : CopyWithoutNulls(revisedKeys, nameof(revisedKeys));
    }

    public string Region { get; }

    /// <summary>Start of the window, whole seconds, UTC.</summary>
    public DateTimeOffset StartTimestamp { get; }

    /// <summary>End of the window, whole seconds, UTC.</summary>
    public DateTimeOffset EndTimestamp { get; }

    public int BatchNum { get; }

    public int BatchSize { get; }

    public IReadOnlyList<ExportSignatureInfo> SignatureInfos { get; }

    /// <summary>The keys in the order given or read; see the remarks on ordering.</summary>
    public IReadOnlyList<ExportedKey> Keys { get; }

    public IReadOnlyList<ExportedKey> RevisedKeys { get; }

    /// <summary>
    /// A batch whose window runs from the earliest key's rolling start to the latest key's expiry, which is
    /// what a phone needs to know the file's keys are all inside it.
    /// </summary>
    public static ExportBatch Covering(string region, IReadOnlyCollection<ExportedKey> keys, IEnumerable<ExportSignatureInfo> signatureInfos, int batchNum = 1, int batchSize = 1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("A batch covering its keys needs at least one key.", nameof(keys));
        }

        var start = keys.Min(k => k.Key.RollingStartIntervalNumber).StartTime;
        var end = keys.Max(k => k.Key.ExpiryIntervalNumber).StartTime;
        return new ExportBatch(region, start, end, batchNum, batchSize, signatureInfos, keys);
    }

    private static T[] CopyWithoutNulls<T>(IEnumerable<T> items, string paramName)
        where T : class
    {
        var copy = items.ToArray();
        if (Array.FindIndex(copy, item => item is null) is var i and >= 0)
        {
            throw new ArgumentException($"Item {i} is null.", paramName);
        }

        return copy;
    }
}

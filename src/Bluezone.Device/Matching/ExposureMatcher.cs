using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Bluezone.Device.Sightings;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Matching;

/// <summary>
/// Finds which published keys a phone heard, and turns the sightings into exposure windows (DESIGN.md §5).
/// Two steps, kept apart so that the first can be shared: derive every key's RPIs
/// (<see cref="PublishedIdentifiers"/>), then look them up in this phone's <see cref="SightingLog"/>. Keys are
/// processed in chunks small enough that a chunk's identifiers stay in the core's cache next to the index.
/// </summary>
public sealed class ExposureMatcher
{
    private const int ChunkKeys = 64;

    private readonly MatchingOptions _options;

    public ExposureMatcher(MatchingOptions? options = null)
    {
        _options = options ?? new MatchingOptions();
        _options.Validate();
    }

    /// <summary>Matches keys whose RPIs are already derived.</summary>
    /// <remarks>
    /// The look-ups go from the smaller side into the larger side's index: the published identifiers into the
    /// log's index, or, when <paramref name="published"/> carries an index and the log holds fewer distinct
    /// RPIs than there are identifiers, the log's RPIs into that. Both find the same (identifier, RPI) pairs;
    /// they are taken in identifier order either way, so the windows are the same, in the same order.
    /// </remarks>
    public IReadOnlyList<ExposureWindow> Match(PublishedIdentifiers published, SightingLog log)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(log);
        var windows = new List<ExposureWindow>();
        var matches = new List<SightingMatch>();
        if (published.Index is { } index && log.DistinctIdentifiers < published.Identifiers.Length)
        {
            log.FindIn(index, matches);
            BuildWindowsOfMatches(published.Keys, 0, matches, log, windows);
            return windows;
        }

        for (var first = 0; first < published.Keys.Count; first += ChunkKeys)
        {
            var count = Math.Min(ChunkKeys, published.Keys.Count - first);
            MatchChunk(published.Keys, first, published.Identifiers.Slice(first * IntervalNumber.PerDay, count * IntervalNumber.PerDay), log, matches, windows);
        }

        return windows;
    }

    /// <summary>Derives and matches in one pass, chunk by chunk, on <paramref name="threads"/> threads.</summary>
    public IReadOnlyList<ExposureWindow> Match(IReadOnlyList<ExportedKey> keys, SightingLog log, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var chunks = (keys.Count + ChunkKeys - 1) / ChunkKeys;
        var perChunk = new List<ExposureWindow>?[chunks];
        if (threads == 1 || chunks == 1)
        {
            var buffers = new ChunkBuffers();
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                perChunk[chunk] = DeriveAndMatch(keys, chunk, log, buffers);
            }
        }
        else
        {
            Parallel.For(
                0,
                chunks,
                new ParallelOptions { MaxDegreeOfParallelism = threads },
                () => new ChunkBuffers(),
                (chunk, _, buffers) =>
                {
                    perChunk[chunk] = DeriveAndMatch(keys, chunk, log, buffers);
                    return buffers;
                },
                static _ => { });
        }

        return [.. perChunk.Where(w => w is not null).SelectMany(w => w!)];
    }

    /// <summary>
    /// One chunk: derive its identifiers, look them up, build windows for the hits. Kept out of line on purpose:
    /// called once per chunk, it is promoted to fully optimised code after a few calls, whereas inlined into the
    /// long-running chunk loop (as dynamic PGO did into Parallel.For's worker) it ran as on-stack-replacement
    /// code, measured at about a quarter of the matching time instead of the look-ups' share.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private List<ExposureWindow>? DeriveAndMatch(IReadOnlyList<ExportedKey> keys, int chunk, SightingLog log, ChunkBuffers buffers)
    {
        var first = chunk * ChunkKeys;
        var count = Math.Min(ChunkKeys, keys.Count - first);
        var identifiers = buffers.Identifiers.AsSpan(0, count * IntervalNumber.PerDay);
        PublishedIdentifiers.Derive(keys, first, count, identifiers);
        var windows = new List<ExposureWindow>();
        MatchChunk(keys, first, identifiers, log, buffers.Matches, windows);
        return windows.Count > 0 ? windows : null;
    }

    /// <summary>One thread's reusable buffers: a chunk's identifiers and its look-up hits.</summary>
    private sealed class ChunkBuffers
    {
        public RollingProximityIdentifier[] Identifiers { get; } = new RollingProximityIdentifier[ChunkKeys * IntervalNumber.PerDay];

        public List<SightingMatch> Matches { get; } = [];
    }

    private void MatchChunk(
        IReadOnlyList<ExportedKey> keys,
        int firstKey,
        ReadOnlySpan<RollingProximityIdentifier> identifiers,
        SightingLog log,
        List<SightingMatch> matches,
        List<ExposureWindow> windows)
    {
        matches.Clear();
        if (log.Index.FindAll(identifiers, matches) == 0)
        {
            return;
        }

        BuildWindowsOfMatches(keys, firstKey, matches, log, windows);
    }

    /// <summary>Windows for matches in candidate order (so all matches of one key are adjacent), key by key.</summary>
    private void BuildWindowsOfMatches(IReadOnlyList<ExportedKey> keys, int firstKey, List<SightingMatch> matches, SightingLog log, List<ExposureWindow> windows)
    {
        var start = 0;
        while (start < matches.Count)
        {
            var keyOffset = matches[start].CandidateIndex / IntervalNumber.PerDay;
            var end = start;
            while (end < matches.Count && matches[end].CandidateIndex / IntervalNumber.PerDay == keyOffset)
            {
                end++;
            }

            BuildWindows(firstKey + keyOffset, keys[firstKey + keyOffset], matches, start, end, log, windows);
            start = end;
        }
    }

    private void BuildWindows(int keyIndex, ExportedKey key, List<SightingMatch> matches, int start, int end, SightingLog log, List<ExposureWindow> windows)
    {
        // The instances within the replay limits first, then all their metadata decrypted in one call (one
        // cipher set-up per key, not per instance), then those with a plausible tx power, in the same order.
        var heard = new List<ScanInstance>();
        for (var m = start; m < end; m++)
        {
            var slot = matches[m].CandidateIndex % IntervalNumber.PerDay;
            if (slot >= key.Key.RollingPeriod)
            {
                continue;
            }

            var interval = key.Key.RollingStartIntervalNumber + slot;
            var instances = log.Group(matches[m].Position);
            var firstSeen = instances[0].ScanStartUnixMs;
            foreach (ref readonly var instance in instances)
            {
                if (Accept(instance, interval, firstSeen))
                {
                    heard.Add(instance);
                }
            }
        }

        if (heard.Count == 0)
        {
            return;
        }

        var rpis = new RollingProximityIdentifier[heard.Count];
        var aems = new AssociatedEncryptedMetadata[heard.Count];
        for (var i = 0; i < heard.Count; i++)
        {
            rpis[i] = heard[i].Rpi;
            aems[i] = heard[i].Aem;
        }

        var metadata = new AdvertisementMetadata[heard.Count];
        var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.Key.KeyData);
        RollingProximityIdentifierGenerator.DecryptMetadata(aemk, rpis, aems, metadata);
        var accepted = new List<MatchedScanInstance>();
        sbyte txPower = 0;
        for (var i = 0; i < heard.Count; i++)
        {
            var instance = heard[i];
            if (metadata[i].TxPowerDbm < _options.MinTxPowerDbm || metadata[i].TxPowerDbm > _options.MaxTxPowerDbm)
            {
                continue;
            }

            txPower = metadata[i].TxPowerDbm;
            var correction = metadata[i].TxPowerDbm - _options.AssumedTxPowerDbm;
            accepted.Add(new MatchedScanInstance(
                instance.ScanStart,
                Math.Clamp(instance.TypicalAttenuation + correction, 0, 255),
                Math.Clamp(instance.MinAttenuation + correction, 0, 255),
                instance.SecondsSinceLastScan));
        }

        CryptographicOperations.ZeroMemory(aemk);
        if (accepted.Count == 0)
        {
            return;
        }

        accepted.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        var windowStart = 0;
        for (var i = 1; i <= accepted.Count; i++)
        {
            if (i == accepted.Count || accepted[i].Time - accepted[windowStart].Time >= ExposureWindow.MaxDuration)
            {
                windows.Add(new ExposureWindow(keyIndex, key, accepted[windowStart].Time, txPower, accepted.GetRange(windowStart, i - windowStart)));
                windowStart = i;
            }
        }
    }

    private bool Accept(in ScanInstance instance, IntervalNumber rpiInterval, long firstSeenUnixMs)
    {
        var heardInterval = IntervalNumber.FromUnixSeconds(instance.ScanStartUnixMs / 1000);
        return Math.Abs(heardInterval - rpiInterval) <= _options.AcceptIntervals
            && instance.ScanStartUnixMs - firstSeenUnixMs <= (long)_options.ReplayCutoff.TotalMilliseconds;
    }
}

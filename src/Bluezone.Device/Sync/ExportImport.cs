using System.Security.Cryptography;
using Bluezone.Device.Matching;
using Bluezone.Device.Storage;
using Bluezone.Device.Warnings;
using Bluezone.Protocol;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Export;

namespace Bluezone.Device.Sync;

/// <summary>
/// What a phone does with one export file, however it arrived — downloaded by <see cref="ExposureSync"/> or handed
/// over as a file (another health authority's export, a field test): read it, check its signature with the
/// pinned key, match its keys against this phone's log, score the days, and record the days and the file as
/// processed in one transaction. A refused file changes nothing.
/// </summary>
public sealed class ExportImport
{
    private readonly IDeviceStore _store;
    private readonly TimeProvider _time;
    private readonly SyncOptions _options;
    private readonly ExposureMatcher _matcher;

    /// <param name="time">The phone's clock (records when files were processed).</param>
    public ExportImport(IDeviceStore store, TimeProvider time, SyncOptions? options = null, MatchingOptions? matching = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new SyncOptions();
        _options.Validate();
        _store = store;
        _time = time;
        _matcher = new ExposureMatcher(matching);
    }

    /// <summary>
    /// The name under which a file handed over outside any index is recorded: its content's hash, so importing
    /// the same file twice is recognised, and a name no server index uses.
    /// </summary>
    public static string LocalName(ReadOnlySpan<byte> bytes) => "local/" + Convert.ToHexStringLower(SHA256.HashData(bytes)[..16]) + ".zip";

    /// <summary>Imports a file with the stored configuration (or the default) and this phone's whole log.</summary>
    public ImportOutcome Import(string name, byte[] bytes, ECDsa publicKey) =>
        Import(name, bytes, publicKey, StoredConfiguration.Load(_store), () => SightingLog.Build(_store.LoadScanInstances()));

    /// <param name="log">Builds the phone's log when a file has keys to match; a sync builds it once for all its files.</param>
    internal ImportOutcome Import(string name, byte[] bytes, ECDsa publicKey, DeviceConfiguration configuration, Func<SightingLog> log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (bytes.Length > _options.MaxExportFileBytes)
        {
            return ImportOutcome.Refused($"larger than {_options.MaxExportFileBytes} bytes");
        }

        SignedExport export;
        try
        {
            export = ExportArchive.Read(bytes, _options.MaxExportFileBytes);
        }
        catch (Exception e) when (e is ProtocolFormatException or InvalidDataException)
        {
            return ImportOutcome.Refused("malformed: " + e.Message);
        }

        if (!export.FromArchive || !export.Verify(publicKey))
        {
            return ImportOutcome.Refused("the signature does not verify with the pinned key");
        }

        var keys = export.Batch.Keys;
        var windows = keys.Count == 0 ? [] : _matcher.Match(keys, log(), _options.MatchThreads);
        var days = Record(_store, name, windows, configuration, _time.GetUtcNow());
        return new ImportOutcome(null, keys.Count, days);
    }

    /// <summary>
    /// The last step of processing a file, for callers that matched it themselves (the simulator matches every
    /// phone against identifiers derived once): score the windows, record the days and the file as processed.
    /// Returns the number of days recorded.
    /// </summary>
    public static int Record(IExposureStore store, string name, IReadOnlyList<ExposureWindow> windows, DeviceConfiguration configuration, DateTimeOffset processedAt)
    {
        ArgumentNullException.ThrowIfNull(store);
        var days = ExposureScoring.Score(windows, configuration)
            .Select(d => new RecordedExposureDay(d.Key.Key.KeyData.ToArray(), d.Key.Key.RollingStartIntervalNumber.Value, d.Day, d.ReportType, d.WeightedMinutes, d.IsRisky))
            .ToList();
        store.RecordProcessedExport(name, days, processedAt);
        return days.Count;
    }
}

/// <summary>The result of one export file: refused (with the reason), or processed with its key and matched-day counts.</summary>
public sealed record ImportOutcome(string? Refusal, int Keys, int MatchedDays)
{
    public static ImportOutcome Refused(string reason) => new(reason, 0, 0);
}

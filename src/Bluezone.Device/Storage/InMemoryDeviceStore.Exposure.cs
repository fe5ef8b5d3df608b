using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;

namespace Bluezone.Device.Storage;

/// <summary>The sync state, exposure days and own uploads, held in memory with the same rules as the SQLite store.</summary>
public sealed partial class InMemoryDeviceStore
{
    private readonly HashSet<string> _processed = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, int RollingStart, DateOnly Day), RecordedExposureDay> _exposures = [];
    private readonly List<OwnReport> _reports = [];
    private bool _joined;
    private string? _indexETag;
    private string? _configuration;
    private string? _publicKey;
    private PendingUpload? _pending;

    public SyncState LoadSyncState() => new(_joined, _indexETag, _configuration, _publicKey, new HashSet<string>(_processed, StringComparer.Ordinal));

    public void SaveJoined() => _joined = true;

    public void SavePinnedPublicKey(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        _publicKey = pem;
    }

    public void SaveConfiguration(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        _configuration = json;
    }

    public void SaveIndex(string? etag, IReadOnlyCollection<string> liveFiles)
    {
        ArgumentNullException.ThrowIfNull(liveFiles);
        _indexETag = etag;
        _processed.IntersectWith(liveFiles);
    }

    public void RecordProcessedExport(string fileName, IReadOnlyList<RecordedExposureDay> days, DateTimeOffset processedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(days);
        foreach (var day in days)
        {
            var id = (Convert.ToBase64String(day.KeyData), day.RollingStart, day.Day);
            if (!_exposures.TryGetValue(id, out var known) || day.Outranks(known))
            {
                _exposures[id] = day;
            }
        }

        _processed.Add(fileName);
    }

    public IReadOnlyList<RecordedExposureDay> LoadExposureDays() =>
        [.. _exposures.Values.OrderBy(d => d.Day).ThenBy(d => Convert.ToHexString(d.KeyData), StringComparer.Ordinal)];

    public void RecordOwnReport(OwnReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports.Add(report);
        _pending = null;
    }

    public IReadOnlyList<OwnReport> LoadOwnReports() => [.. _reports];

    public void SavePendingUpload(PendingUpload? pending) => _pending = pending;

    public PendingUpload? LoadPendingUpload() => _pending;

    private int PurgeExposures(int oldestKeptUnixDay)
    {
        var oldest = DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays(oldestKeptUnixDay);
        var stale = _exposures.Where(e => e.Key.Day < oldest).Select(e => e.Key).ToArray();
        foreach (var id in stale)
        {
            _exposures.Remove(id);
        }

        return stale.Length + _reports.RemoveAll(r => r.Day < oldest);
    }

    private void ClearExposures()
    {
        _processed.Clear();
        _exposures.Clear();
        _reports.Clear();
        _joined = false;
        _indexETag = null;
        _configuration = null;
        _publicKey = null;
        _pending = null;
    }
}

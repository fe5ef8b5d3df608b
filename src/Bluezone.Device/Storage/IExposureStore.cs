using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;

namespace Bluezone.Device.Storage;

/// <summary>
/// The phone's memory of the server: sync state, scored exposure days, its own uploads. Every write is one
/// transaction, so a failure part-way (a network error, a crash) leaves the previous state whole.
/// </summary>
public interface IExposureStore
{
    SyncState LoadSyncState();

    void SaveJoined();

    void SavePinnedPublicKey(string pem);

    /// <summary>Keeps a verified configuration's JSON (the phone adopts only verified, valid ones).</summary>
    void SaveConfiguration(string json);

    /// <summary>
    /// Records the index ETag once every file it lists is processed, and forgets processed files that are no
    /// longer live (the server deletes them after 14 days).
    /// </summary>
    void SaveIndex(string? etag, IReadOnlyCollection<string> liveFiles);

    /// <summary>
    /// Marks <paramref name="fileName"/> processed and records its scored days, in one transaction. A day already
    /// recorded for the same key keeps one row: the one that warns more (<see cref="RecordedExposureDay.Outranks"/>).
    /// </summary>
    void RecordProcessedExport(string fileName, IReadOnlyList<RecordedExposureDay> days, DateTimeOffset processedAt);

    IReadOnlyList<RecordedExposureDay> LoadExposureDays();

    /// <summary>Records an upload this phone made and forgets the pending upload token, in one transaction.</summary>
    void RecordOwnReport(OwnReport report);

    IReadOnlyList<OwnReport> LoadOwnReports();

    /// <summary>Keeps (or, with null, forgets) an unspent upload token.</summary>
    void SavePendingUpload(PendingUpload? pending);

    PendingUpload? LoadPendingUpload();
}

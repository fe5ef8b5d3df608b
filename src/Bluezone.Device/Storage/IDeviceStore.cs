using Bluezone.Device.History;
using Bluezone.Device.Identity;
using Bluezone.Device.Sightings;

namespace Bluezone.Device.Storage;

/// <summary>
/// What a device core needs from its storage. <see cref="DeviceStore"/> is the phone's (SQLite on disk);
/// <see cref="InMemoryDeviceStore"/> serves simulations that run thousands of devices in one process.
/// </summary>
public interface IDeviceStore : IContactLog, IOwnKeyStore, IExposureStore
{
    /// <summary>Writes whatever is buffered.</summary>
    void Flush();

    /// <summary>Deletes everything older than the 14-day retention, <paramref name="today"/> being the 14th day.</summary>
    int Purge(DateOnly today);

    DayHistory History(DateOnly date, HistoryOptions? options = null);

    /// <summary>Every stored scan instance, for matching against published keys.</summary>
    IReadOnlyList<ScanInstance> LoadScanInstances();

    /// <summary>The UTC days with at least one scan, oldest first.</summary>
    IReadOnlyList<DateOnly> Days();

    /// <summary>"Delete all my data": contact log and own keys; the store stays usable, empty.</summary>
    void DeleteAllData();
}

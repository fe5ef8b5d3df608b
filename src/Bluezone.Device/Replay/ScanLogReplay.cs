using Bluezone.Device.History;
using Bluezone.Device.Proximity;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;

namespace Bluezone.Device.Replay;

/// <summary>
/// Runs a recorded scan log through the same sighting pipeline a live device uses, into a store, and reads
/// back the history of each UTC day the log covers. The log is what was heard, so the device's own duty cycle
/// does not apply; scans are recovered from the gaps between sightings, as always. No retention purge runs:
/// a log may be older than 14 days.
/// </summary>
public static class ScanLogReplay
{
    public static IReadOnlyList<DayHistory> Run(IReadOnlyList<ScanLogRecord> records, DeviceStore store, DeviceCalibration calibration, DeviceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new DeviceOptions();
        options.Validate();
        var processor = new SightingProcessor(store, calibration, options.Sightings, options.Encounters, options.Proximity);
        var days = new SortedSet<DateOnly>();
        try
        {
            foreach (var record in records)
            {
                processor.Ingest(record.ToAdvertisement());
                days.Add(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(record.UnixMs).UtcDateTime));
            }

            processor.Complete();
            store.Flush();
        }
        catch
        {
            store.DiscardPending();
            throw;
        }

        return days.Select(day => store.History(day, options.History)).ToArray();
    }
}

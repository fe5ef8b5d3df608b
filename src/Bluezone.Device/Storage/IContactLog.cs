using Bluezone.Device.Encounters;
using Bluezone.Device.Sightings;

namespace Bluezone.Device.Storage;

/// <summary>Where closed scans go: the SQLite store on a phone, or memory in a simulation.</summary>
public interface IContactLog
{
    /// <summary>The first encounter id not used yet (ids stay unique across restarts).</summary>
    long NextEncounterId { get; }

    /// <summary>
    /// Records one closed scan. <paramref name="encounters"/> holds the current state of every encounter-day
    /// row the scan touched (a row is replaced, not added to). The spans are only valid during the call.
    /// </summary>
    void Record(in ScanSummary scan, ReadOnlySpan<ScanInstance> instances, ReadOnlySpan<EncounterDay> encounters);
}

using Bluezone.Device.Warnings;

namespace Bluezone.Device.Sync;

/// <summary>An export file the phone did not use, and why (it is retried at the next sync).</summary>
public sealed record RefusedExport(string Name, string Reason);

/// <summary>What one sync did.</summary>
/// <param name="JoinedNow">This sync counted the install in the community.</param>
/// <param name="ConfigurationAdopted">A newly verified configuration replaced the previous one.</param>
/// <param name="ConfigurationIssuedAt">When the configuration in use after the sync was issued (the epoch: the built-in default).</param>
/// <param name="IndexFetched">The export index was reached (changed or not); false when the sync could not check for exports.</param>
/// <param name="IndexUnchanged">The index had not changed since the last complete sync (304).</param>
/// <param name="Processed">Export files matched and recorded by this sync, with their key counts.</param>
/// <param name="Refused">Export files refused (bad signature, malformed, download failed): never matched, not marked processed.</param>
/// <param name="Problems">Steps that failed without losing anything (join, configuration, index), for the log.</param>
public sealed record SyncResult(
    bool JoinedNow,
    bool ConfigurationAdopted,
    DateTimeOffset? ConfigurationIssuedAt,
    bool IndexFetched,
    bool IndexUnchanged,
    IReadOnlyList<(string Name, int Keys)> Processed,
    IReadOnlyList<RefusedExport> Refused,
    IReadOnlyList<string> Problems,
    WarningStatus Status)
{
    /// <summary>Everything went through: nothing refused, no step failed.</summary>
    public bool Complete => Refused.Count == 0 && Problems.Count == 0;

    /// <summary>Every export the server lists has been checked (joining or the configuration may still have failed).</summary>
    public bool ExportsUpToDate => IndexFetched && Refused.Count == 0;
}

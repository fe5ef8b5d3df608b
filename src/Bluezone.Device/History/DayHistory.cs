namespace Bluezone.Device.History;

/// <summary>A count of people and, among them, Bluezoners.</summary>
public readonly record struct ContactCount(int People, int Bluezoners);

/// <summary>
/// The history screen for one UTC day (DESIGN.md §8): all contacts ("Tổng tiếp xúc") and close contacts
/// ("Tiếp xúc gần"), each as people and Bluezoners, counting encounters and not RPIs.
/// </summary>
/// <remarks>
/// Bluezoners are encounters with Bluezone phones (linked RPI chains). People are those plus non-Bluezone
/// advertisers, each counted as one person (estimated from per-scan counts, see the device documentation):
/// so a person whose phone does not run Bluezone counts once if only the phone advertises, twice with
/// advertising earbuds. A contact is close when it spent at least the close-contact duration (default
/// 15 min) in the immediate or near buckets that day. <see cref="Encounters"/> is the number of Bluezone
/// encounters and <see cref="DistinctRpis"/> the number of distinct identifiers heard, which shows how much
/// the linking saved.
/// </remarks>
public sealed record DayHistory(DateOnly Date, ContactCount Contacts, ContactCount Close, int Encounters, int DistinctRpis);

/// <summary>When a contact counts as close.</summary>
public sealed class HistoryOptions
{
    /// <summary>Time in the close buckets during one day that makes a close contact (DESIGN.md: 2 m for 15 min).</summary>
    public TimeSpan CloseContactDuration { get; set; } = TimeSpan.FromMinutes(15);

    public void Validate()
    {
        if (CloseContactDuration < TimeSpan.FromSeconds(1) || CloseContactDuration > TimeSpan.FromHours(24))
        {
            throw new ArgumentException($"CloseContactDuration must be within 1 s – 24 h, not {CloseContactDuration}.");
        }
    }
}

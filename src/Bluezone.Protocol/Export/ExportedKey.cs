using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Export;

/// <summary>
/// A temporary exposure key as published in an export: the key with its validity, plus what the server
/// says about the report it came from.
/// </summary>
public sealed class ExportedKey : IEquatable<ExportedKey>
{
    /// <summary>Largest transmission risk level GAEN defines (levels are 0–8).</summary>
    public const int MaxTransmissionRiskLevel = 8;

    /// <param name="key">The key and its rolling start and period.</param>
    /// <param name="reportType">Why the key was published.</param>
    /// <param name="daysSinceOnsetOfSymptoms">Days from symptom onset to the key's day, if known; any value
    /// is carried as is (GAEN uses −14..14, some servers use larger values as markers).</param>
    /// <param name="transmissionRiskLevel">Deprecated by GAEN v1.5 but still present in older files: 0–8, or null.</param>
    public ExportedKey(TemporaryExposureKey key, ReportType reportType = ReportType.Unknown, int? daysSinceOnsetOfSymptoms = null, int? transmissionRiskLevel = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Enum.IsDefined(reportType))
        {
            throw new ArgumentOutOfRangeException(nameof(reportType), $"{(int)reportType} is not a report type");
        }

        if (transmissionRiskLevel is < 0 or > MaxTransmissionRiskLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(transmissionRiskLevel), $"The transmission risk level must be 0–{MaxTransmissionRiskLevel}, not {transmissionRiskLevel}.");
        }

        Key = key;
        ReportType = reportType;
        DaysSinceOnsetOfSymptoms = daysSinceOnsetOfSymptoms;
        TransmissionRiskLevel = transmissionRiskLevel;
    }

    public TemporaryExposureKey Key { get; }

    public ReportType ReportType { get; }

    public int? DaysSinceOnsetOfSymptoms { get; }

    public int? TransmissionRiskLevel { get; }

    public bool Equals(ExportedKey? other) =>
        other is not null
        && Key.Equals(other.Key)
        && ReportType == other.ReportType
        && DaysSinceOnsetOfSymptoms == other.DaysSinceOnsetOfSymptoms
        && TransmissionRiskLevel == other.TransmissionRiskLevel;

    public override bool Equals(object? obj) => Equals(obj as ExportedKey);

    public override int GetHashCode() => HashCode.Combine(Key, ReportType, DaysSinceOnsetOfSymptoms, TransmissionRiskLevel);

    /// <summary>Orders by key bytes, the order export files are written in; other fields break ties so the order is total.</summary>
    internal static int CompareForExport(ExportedKey a, ExportedKey b)
    {
        var byBytes = a.Key.KeyData.SequenceCompareTo(b.Key.KeyData);
        if (byBytes != 0)
        {
            return byBytes;
        }

        var byStart = a.Key.RollingStartIntervalNumber.CompareTo(b.Key.RollingStartIntervalNumber);
        if (byStart != 0)
        {
            return byStart;
        }

        var byPeriod = a.Key.RollingPeriod.CompareTo(b.Key.RollingPeriod);
        return byPeriod != 0 ? byPeriod : a.ReportType.CompareTo(b.ReportType);
    }

    /// <summary>Does not print the key bytes.</summary>
    public override string ToString() => $"{Key} {ReportType}";
}

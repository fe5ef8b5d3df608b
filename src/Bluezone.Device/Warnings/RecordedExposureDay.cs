using Bluezone.Protocol.Export;

namespace Bluezone.Device.Warnings;

/// <summary>
/// One published key's score on one UTC day, as the phone keeps it. Identified by (key bytes, rolling start,
/// day): the same key in two export files is the same row, so a day is never counted twice. The same key may come
/// with two report types — published RECURSIVE while its owner was an F1, then CONFIRMED_TEST once they tested
/// positive — and the row keeps the one that warns more (<see cref="Outranks"/>).
/// </summary>
public sealed record RecordedExposureDay(byte[] KeyData, int RollingStart, DateOnly Day, ReportType ReportType, double WeightedMinutes, bool IsRisky)
{
    /// <summary>The level a risky day of this report type warns of; Safe for types a phone does not act on.</summary>
    public WarningLevel Level => !IsRisky ? WarningLevel.Safe : ReportType switch
    {
        // A key without a report type comes from an export that predates them: a confirmed case (see
        // DeviceConfiguration.ReportTypeWeight), so it warns as F1.
        ReportType.ConfirmedTest or ReportType.ConfirmedClinicalDiagnosis or ReportType.Unknown => WarningLevel.F1,
        ReportType.Recursive => WarningLevel.F2,
        _ => WarningLevel.Safe,
    };

    /// <summary>
    /// Whether this score of a key's day replaces <paramref name="recorded"/>, the one kept for the same key and day:
    /// the higher level wins (F1 beats F2: the key's owner was confirmed after their recursive upload), and at the
    /// same level the larger score. A phone never goes down a level because a key turned up again.
    /// </summary>
    public bool Outranks(RecordedExposureDay recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return Level != recorded.Level ? Level > recorded.Level : WeightedMinutes > recorded.WeightedMinutes;
    }
}

/// <summary>An upload this phone made: its own confirmed report (F0) or a recursive one (as an F1).</summary>
/// <param name="Day">F0: the day of the positive test; recursive: the first day whose key was uploaded.</param>
public sealed record OwnReport(ReportType ReportType, DateOnly Day, DateTimeOffset UploadedAt);

/// <summary>
/// An upload token obtained from a code and not spent yet: the app may show the consent summary and upload later
/// (the code itself is single use, so the token is kept until it is spent or expires).
/// </summary>
public sealed record PendingUpload(string Token, ReportType ReportType, DateOnly TestDate, DateOnly? SymptomOnsetDate, DateTimeOffset ExpiresAt);

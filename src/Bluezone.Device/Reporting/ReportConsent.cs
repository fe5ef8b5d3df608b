using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Reporting;

/// <summary>
/// What an upload will send, shown to the user before they consent: which days' keys, and how many heard tokens —
/// nothing else leaves the phone. The keys and tokens themselves stay inside for the upload.
/// </summary>
public sealed class ReportConsent
{
    internal ReportConsent(ReportType reportType, IReadOnlyList<TemporaryExposureKey> keys, IReadOnlyList<HeardToken> heardTokens, DateOnly windowStart, DateOnly today)
    {
        ReportType = reportType;
        Keys = keys;
        HeardTokens = heardTokens;
        WindowStart = windowStart;
        Today = today;
    }

    /// <summary>ConfirmedTest / ConfirmedClinicalDiagnosis for an F0's upload, Recursive for an F1's.</summary>
    public ReportType ReportType { get; }

    /// <summary>The UTC days whose keys will be uploaded, oldest first.</summary>
    public IReadOnlyList<DateOnly> KeyDays => [.. Keys.Select(k => k.Day)];

    /// <summary>How many heard tokens go with an F0's upload (always 0 for an F1's).</summary>
    public int HeardTokenCount => HeardTokens.Count;

    /// <summary>First day of the window the upload covers (infectious window, or the exposure day).</summary>
    public DateOnly WindowStart { get; }

    public DateOnly Today { get; }

    internal IReadOnlyList<TemporaryExposureKey> Keys { get; }

    internal IReadOnlyList<HeardToken> HeardTokens { get; }
}

/// <summary>
/// How an upload ended. A refusal keeps the server's stable error code (e.g. <c>contact_proof_failed</c>,
/// <c>token_used</c>) and message so the app can show it; nothing is lost.
/// </summary>
public sealed record ReportResult(bool Accepted, int Inserted, int? HttpStatus, string? ErrorCode, string? Message)
{
    public static ReportResult Success(int inserted) => new(true, inserted, 200, null, null);
}

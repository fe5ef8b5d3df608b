using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bluezone.Server.Verification;

/// <summary>A confirmed case, entered by the health authority.</summary>
public sealed class IssueCodeRequest
{
    [Description("The authority's own case reference (not a name); stored only as a keyed hash."), Required, StringLength(64, MinimumLength = 1)]
    public string? CaseRef { get; init; }

    [Description("Day of the positive test (UTC), within the last 14 days."), Required]
    public DateOnly? TestDate { get; init; }

    [Description("Day symptoms began, if known; within the last 21 days and not after today.")]
    public DateOnly? SymptomOnsetDate { get; init; }

    [Description("\"confirmed\" (test) or \"clinical\" (clinical diagnosis)."), Required]
    public string? ReportType { get; init; }
}

public sealed record IssueCodeResponse(
    [property: Description("Identifier for status queries.")] Guid Id,
    [property: Description("8 digits, valid 1 hour.")] string Code,
    [property: Description("16 characters, valid 24 hours.")] string LongCode,
    DateTimeOffset ExpiresAt,
    DateTimeOffset LongExpiresAt);

public sealed record CodeStatusResponse(
    Guid Id,
    [property: Description("unused, claimed or expired.")] string Status,
    DateTimeOffset ExpiresAt,
    DateTimeOffset LongExpiresAt,
    DateTimeOffset? ClaimedAt);

public sealed class VerifyRequest
{
    [Description("The 8-digit or 16-character code; spaces and dashes are ignored."), Required, StringLength(64)]
    public string? Code { get; init; }
}

public sealed record VerifyResponse(
    [property: Description("Single-use upload token for POST /v1/publish, valid 24 hours.")] string Token,
    [property: Description("\"confirmed\" or \"clinical\".")] string ReportType,
    DateOnly? SymptomOnsetDate,
    DateOnly TestDate,
    DateTimeOffset ExpiresAt);

/// <summary>The GAEN report types a code can carry, and their names in the API.</summary>
public static class ReportTypes
{
    public const int ConfirmedTest = 1;
    public const int ConfirmedClinicalDiagnosis = 2;
    public const int Recursive = 4;

    public static int? Parse(string? name) => name switch
    {
        "confirmed" => ConfirmedTest,
        "clinical" => ConfirmedClinicalDiagnosis,
        _ => null,
    };

    public static string Name(int reportType) => reportType switch
    {
        ConfirmedTest => "confirmed",
        ConfirmedClinicalDiagnosis => "clinical",
        Recursive => "recursive",
        _ => "unknown",
    };
}

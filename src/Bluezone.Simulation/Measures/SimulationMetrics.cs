namespace Bluezone.Simulation.Measures;

/// <summary>
/// The run's headline numbers (metrics.json). Rates are null when undefined (nothing to divide by). Only
/// <see cref="RunSeconds"/> and <see cref="PersonDaysPerSecond"/> differ between two runs with the same seed.
/// </summary>
public sealed record SimulationMetrics
{
    public int Seed { get; init; }

    public int People { get; init; }

    /// <summary>People with the app at the end of the run.</summary>
    public int AppUsers { get; init; }

    public int Days { get; init; }

    /// <summary>Of the (F0, app user, day) close contacts on days whose key was published: the share the phone scored risky.</summary>
    public double? CloseContactTruePositiveRate { get; init; }

    /// <summary>Of the (F0, app user, day) pairs within radio range but not close: the share scored risky anyway.</summary>
    public double? CloseContactFalsePositiveRate { get; init; }

    /// <summary>Of the people warned F1: the share who really were a close contact of a published F0 key's day.</summary>
    public double? F1Precision { get; init; }

    /// <summary>Of the app users who were such close contacts (not F0 themselves): the share warned F1.</summary>
    public double? F1Recall { get; init; }

    public double? F2Precision { get; init; }

    public double? F2Recall { get; init; }

    /// <summary>Median hours from the authority's confirmation (code issued) to the F1 warnings it caused.</summary>
    public double? MedianHoursConfirmationToWarning { get; init; }

    /// <summary>Median over app-user days of (history screen's close "people" − true close contacts among app users).</summary>
    public double? HistoryPeopleCountErrorMedian { get; init; }

    /// <summary>Mean absolute value of the same error.</summary>
    public double? HistoryPeopleCountAbsErrorMean { get; init; }

    /// <summary>Sum over app-user days of the close contacts the phones' history screens showed.</summary>
    public long HistoryCloseContacts { get; init; }

    /// <summary>Sum over the same days of the true close contacts (≤ 2 m, ≥ 15 min) with other app users.</summary>
    public long TrueCloseContacts { get; init; }

    /// <summary>Infections during the run (not the initial ones) with the app.</summary>
    public int InfectionsWithApp { get; init; }

    /// <summary>The same city and seed without the app (confirmed cases still isolate).</summary>
    public int InfectionsWithoutApp { get; init; }

    public int ConfirmedCases { get; init; }

    public int F0Uploads { get; init; }

    public int RecursiveUploads { get; init; }

    /// <summary>Recursive uploads the server refused (no contact proof).</summary>
    public int RecursiveRefused { get; init; }

    /// <summary>Every upload the server refused, by endpoint and error code.</summary>
    public IReadOnlyDictionary<string, int> Refusals { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    public int WarnedF1 { get; init; }

    public int WarnedF2 { get; init; }

    /// <summary>Share of F1-warned people who were infected by the end (NHS app: ≈ 6 % of notified contacts tested positive).</summary>
    public double? F1InfectedShare { get; init; }

    public double RunSeconds { get; init; }

    public double PersonDaysPerSecond { get; init; }
}

/// <summary>Day-by-day series for the charts.</summary>
public sealed record DailySeries(
    int[] InfectionsWithApp,
    int[] InfectionsWithoutApp,
    int[] ConfirmedWithApp,
    int[] F1Warnings,
    int[] F2Warnings,
    int[] AppUsers,
    double[] HoursToWarning);

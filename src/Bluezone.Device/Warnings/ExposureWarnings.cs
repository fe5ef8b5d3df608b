using Bluezone.Device.Storage;
using Bluezone.Protocol.Export;

namespace Bluezone.Device.Warnings;

/// <summary>The phone's level with the date behind it and the report type that caused it.</summary>
/// <param name="ExposureDate">F1/F2: the most recent risky day of that level; F0: the day of the positive test.</param>
/// <param name="FirstExposureDate">F1/F2: the earliest risky day of that level (an F1 uploads its keys from there on).</param>
public sealed record WarningStatus(WarningLevel Level, DateOnly? ExposureDate, DateOnly? FirstExposureDate, ReportType? SourceReportType)
{
    public static WarningStatus Safe { get; } = new(WarningLevel.Safe, null, null, null);
}

/// <summary>Raised when the phone's level goes up; the app shows the warning and its guidance.</summary>
public sealed class WarningRaisedEventArgs(WarningStatus previous, WarningStatus current) : EventArgs
{
    public WarningStatus Previous { get; } = previous;

    public WarningStatus Current { get; } = current;
}

/// <summary>
/// Derives the phone's level from what the store holds (DESIGN.md §6): F0 after its own confirmed upload;
/// else F1 from a risky day of a confirmed key; else F2 from a risky day of a recursive key; else safe. The
/// highest level reached wins, and it is recomputed from stored rows, so it survives restarts and never counts
/// a day twice.
/// </summary>
public sealed class ExposureWarnings
{
    private readonly IExposureStore _store;
    private WarningStatus _current;

    public ExposureWarnings(IExposureStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _current = Compute(store);
    }

    /// <summary>Raised (on the caller's thread) when <see cref="Current"/> reaches a higher level.</summary>
    public event EventHandler<WarningRaisedEventArgs>? WarningRaised;

    public WarningStatus Current => _current;

    /// <summary>Reads the store again; raises <see cref="WarningRaised"/> if the level went up.</summary>
    public WarningStatus Refresh()
    {
        var previous = _current;
        _current = Compute(_store);
        if (_current.Level > previous.Level)
        {
            WarningRaised?.Invoke(this, new WarningRaisedEventArgs(previous, _current));
        }

        return _current;
    }

    public static WarningStatus Compute(IExposureStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var confirmed = store.LoadOwnReports().Where(r => r.ReportType is ReportType.ConfirmedTest or ReportType.ConfirmedClinicalDiagnosis).ToList();
        if (confirmed.Count > 0)
        {
            var last = confirmed[^1];
            return new WarningStatus(WarningLevel.F0, last.Day, last.Day, last.ReportType);
        }

        var risky = store.LoadExposureDays().Where(d => d.Level != WarningLevel.Safe).ToList();
        if (risky.Count == 0)
        {
            return WarningStatus.Safe;
        }

        var level = risky.Max(d => d.Level);
        var days = risky.Where(d => d.Level == level).OrderBy(d => d.Day).ToList();
        return new WarningStatus(level, days[^1].Day, days[0].Day, days[^1].ReportType);
    }
}

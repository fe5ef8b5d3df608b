using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Export;

namespace Bluezone.Device.Matching;

/// <summary>One published key's weighted exposure on one UTC day.</summary>
/// <param name="IsRisky">The weighted minutes reach the configuration's threshold.</param>
public sealed record ExposureDay(DateOnly Day, ExportedKey Key, double WeightedMinutes, bool IsRisky)
{
    public ReportType ReportType => Key.ReportType;
}

/// <summary>
/// Scores exposure windows with the signed configuration (DESIGN.md §5): weighted seconds = Σ seconds ×
/// bucket weight × report-type weight × infectiousness weight, summed per source key and day. A day is risky
/// when one key alone reaches the threshold — contacts with different people do not add up, because the
/// threshold stands for time near one infectious person.
/// </summary>
public static class ExposureScoring
{
    public static IReadOnlyList<ExposureDay> Score(IEnumerable<ExposureWindow> windows, DeviceConfiguration configuration)
    {
        var days = new Dictionary<(int KeyIndex, DateOnly Day), (ExportedKey Key, double Seconds)>();
        foreach (var window in windows)
        {
            var keyWeight = configuration.ReportTypeWeight(window.Key.ReportType) * configuration.InfectiousnessWeight(window.Key.DaysSinceOnsetOfSymptoms);
            var seconds = 0.0;
            foreach (var instance in window.ScanInstances)
            {
                seconds += instance.Seconds * configuration.AttenuationWeight(instance.TypicalAttenuation);
            }

            var id = (window.KeyIndex, window.Day);
            days[id] = (window.Key, days.GetValueOrDefault(id).Seconds + seconds * keyWeight);
        }

        return
        [
            .. days.OrderBy(d => d.Key.Day).ThenBy(d => d.Key.KeyIndex)
                .Select(d => new ExposureDay(d.Key.Day, d.Value.Key, d.Value.Seconds / 60, d.Value.Seconds / 60 >= configuration.RiskThresholdMinutes)),
        ];
    }
}

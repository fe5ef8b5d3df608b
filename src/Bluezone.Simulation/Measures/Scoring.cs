using Bluezone.Protocol.Export;

namespace Bluezone.Simulation.Measures;

/// <summary>Detection against the truth: the definitions are in docs/simulation.md ("Measures").</summary>
internal static class Scoring
{
    public static SimulationMetrics Score(ScenarioOptions options, int people, RunOutcome withApp, RunOutcome withoutApp)
    {
        var truth = withApp.Truth;
        var detections = withApp.Detections;
        long positives = 0, truePositives = 0, negatives = 0, falsePositives = 0;
        var closeToF0 = new HashSet<int>();
        var closeToF1 = new HashSet<int>();
        foreach (var (keyId, key) in detections.Keys)
        {
            var day = key.Day.DayNumber - options.StartDate.DayNumber;
            if (!detections.IsPublished(keyId) || day < 0 || day >= options.Days)
            {
                continue;
            }

            var recursive = key.Type == ReportType.Recursive;
            foreach (var (other, close) in truth.ContactsOf(day, key.Person))
            {
                var detected = detections.RiskyExposures.Contains((other, keyId, key.Day));
                if (recursive)
                {
                    if (close)
                    {
                        closeToF1.Add(other);
                    }

                    continue;
                }

                if (close)
                {
                    positives++;
                    truePositives += detected ? 1 : 0;
                    closeToF0.Add(other);
                }
                else
                {
                    negatives++;
                    falsePositives += detected ? 1 : 0;
                }
            }
        }

        closeToF0.ExceptWith(detections.ConfirmedUploads.Keys);
        closeToF1.ExceptWith(detections.ConfirmedUploads.Keys);
        closeToF1.ExceptWith(detections.WarnedF1);
        var hours = detections.HoursToWarning.Order().ToArray();
        var errors = detections.HistoryErrors.Order().ToArray();
        return new SimulationMetrics
        {
            Seed = options.Seed,
            People = people,
            AppUsers = withApp.AppUsers,
            Days = options.Days,
            CloseContactTruePositiveRate = Ratio(truePositives, positives),
            CloseContactFalsePositiveRate = Ratio(falsePositives, negatives),
            F1Precision = Ratio(detections.WarnedF1.Count(closeToF0.Contains), detections.WarnedF1.Count),
            F1Recall = Ratio(closeToF0.Count(detections.WarnedF1.Contains), closeToF0.Count),
            F2Precision = Ratio(detections.WarnedF2.Count(closeToF1.Contains), detections.WarnedF2.Count),
            F2Recall = Ratio(closeToF1.Count(detections.WarnedF2.Contains), closeToF1.Count),
            MedianHoursConfirmationToWarning = hours.Length == 0 ? null : Math.Round(Median(hours), 2),
            HistoryPeopleCountErrorMedian = errors.Length == 0 ? null : Median([.. errors.Select(e => (double)e)]),
            HistoryPeopleCountAbsErrorMean = errors.Length == 0 ? null : Math.Round(errors.Average(e => (double)Math.Abs(e)), 3),
            HistoryCloseContacts = detections.HistoryCloseContacts,
            TrueCloseContacts = detections.TrueCloseContacts,
            InfectionsWithApp = withApp.NewInfections,
            InfectionsWithoutApp = withoutApp.NewInfections,
            ConfirmedCases = withApp.DailyConfirmed.Sum(),
            F0Uploads = detections.ConfirmedUploads.Count,
            RecursiveUploads = detections.RecursiveUploaders.Count,
            RecursiveRefused = detections.Refusals.Where(r => r.Key.StartsWith("recursive ", StringComparison.Ordinal)).Sum(r => r.Value),
            Refusals = new SortedDictionary<string, int>(detections.Refusals.ToDictionary(), StringComparer.Ordinal),
            WarnedF1 = detections.WarnedF1.Count,
            WarnedF2 = detections.WarnedF2.Count,
            F1InfectedShare = Ratio(withApp.F1Infected, detections.WarnedF1.Count),
        };
    }

    private static double? Ratio(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

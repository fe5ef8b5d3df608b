using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bluezone.Simulation.Measures;
using ScottPlot;

namespace Bluezone.Simulation.Report;

/// <summary>Writes a run's <c>metrics.json</c>, its charts (PNG, ScottPlot) and <c>report.html</c> that shows them.</summary>
public static class ReportWriter
{
    public const string MetricsFile = "metrics.json";
    public const string ReportFile = "report.html";

    private const int Width = 900;
    private const int Height = 420;

    /// <summary>metrics.json: the headline metrics at the top level, then the daily series and the scenario.</summary>
    public static JsonObject MetricsJson(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = JsonSerializer.SerializeToNode(result.Metrics, ScenarioOptions.Json)!.AsObject();
        json["series"] = JsonSerializer.SerializeToNode(result.Series, ScenarioOptions.Json);
        json["phoneModels"] = result.PhoneModels;
        json["scenario"] = JsonSerializer.SerializeToNode(result.Options, ScenarioOptions.Json);
        return json;
    }

    public static void Write(SimulationResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, MetricsFile), MetricsJson(result).ToJsonString(ScenarioOptions.Json));

        var charts = new List<(string File, string Caption)>
        {
            (EpidemicCurve(result, directory), "New infections per day, with the app and in the same city with the same seed without it."),
            (Warnings(result, directory), "Phones that reached F1 or F2 each day, and cases confirmed by the authority."),
            (DetectionRates(result, directory), "Detection against the truth the simulator knows (close contact: ≤ 2 m for ≥ 15 min in a day)."),
            (Adoption(result, directory), "App users at the end of each day."),
            (TimeToWarning(result, directory), "Hours from the authority's confirmation to each F1 warning it caused."),
        };
        File.WriteAllText(Path.Combine(directory, ReportFile), Html(result, charts));
    }

    private static string EpidemicCurve(SimulationResult result, string directory)
    {
        var plot = new Plot();
        var days = Days(result.Series.InfectionsWithApp.Length);
        var without = plot.Add.Scatter(days, ToDouble(result.Series.InfectionsWithoutApp));
        without.LegendText = "without the app";
        var with = plot.Add.Scatter(days, ToDouble(result.Series.InfectionsWithApp));
        with.LegendText = "with the app";
        plot.Title("Epidemic curve");
        plot.XLabel("day");
        plot.YLabel("new infections");
        plot.ShowLegend();
        return Save(plot, directory, "epidemic.png");
    }

    private static string Warnings(SimulationResult result, string directory)
    {
        var plot = new Plot();
        var days = Days(result.Series.F1Warnings.Length);
        var f1 = plot.Add.Scatter(days, ToDouble(result.Series.F1Warnings));
        f1.LegendText = "F1 warnings";
        var f2 = plot.Add.Scatter(days, ToDouble(result.Series.F2Warnings));
        f2.LegendText = "F2 warnings";
        var confirmed = plot.Add.Scatter(days, ToDouble(result.Series.ConfirmedWithApp));
        confirmed.LegendText = "confirmed cases (F0)";
        plot.Title("Warnings per day by level");
        plot.XLabel("day");
        plot.YLabel("people");
        plot.ShowLegend();
        return Save(plot, directory, "warnings.png");
    }

    private static string DetectionRates(SimulationResult result, string directory)
    {
        var m = result.Metrics;
        (string Label, double? Value)[] rates =
        [
            ("close TPR", m.CloseContactTruePositiveRate),
            ("close FPR", m.CloseContactFalsePositiveRate),
            ("F1 precision", m.F1Precision),
            ("F1 recall", m.F1Recall),
            ("F2 precision", m.F2Precision),
            ("F2 recall", m.F2Recall),
        ];
        var plot = new Plot();
        var bars = plot.Add.Bars(rates.Select(r => r.Value ?? 0).ToArray());
        foreach (var bar in bars.Bars)
        {
            bar.Label = rates[(int)bar.Position].Value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
        }

        bars.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, rates.Length).Select(i => (double)i)], [.. rates.Select(r => r.Label)]);
        plot.Axes.SetLimitsY(0, 1.1);
        plot.Title("Detection rates");
        return Save(plot, directory, "detection.png");
    }

    private static string Adoption(SimulationResult result, string directory)
    {
        var plot = new Plot();
        plot.Add.Scatter(Days(result.Series.AppUsers.Length), ToDouble(result.Series.AppUsers));
        plot.Title("Adoption");
        plot.XLabel("day");
        plot.YLabel("app users");
        plot.Axes.SetLimitsY(0, Math.Max(1, result.Metrics.People));
        return Save(plot, directory, "adoption.png");
    }

    private static string TimeToWarning(SimulationResult result, string directory)
    {
        var hours = result.Series.HoursToWarning;
        var plot = new Plot();
        const double binHours = 4;
        var bins = hours.Length == 0 ? 1 : (int)Math.Ceiling((hours.Max() + 0.001) / binHours);
        var counts = new double[bins];
        foreach (var h in hours)
        {
            counts[Math.Clamp((int)(h / binHours), 0, bins - 1)]++;
        }

        var bars = plot.Add.Bars(counts);
        foreach (var bar in bars.Bars)
        {
            bar.Position = (bar.Position * binHours) + (binHours / 2);
            bar.Size = binHours * 0.9;
        }

        plot.Title("Time from confirmation to F1 warning");
        plot.XLabel("hours");
        plot.YLabel("warnings");
        return Save(plot, directory, "time-to-warning.png");
    }

    private static string Save(Plot plot, string directory, string name)
    {
        plot.SavePng(Path.Combine(directory, name), Width, Height);
        return name;
    }

    private static double[] Days(int count) => [.. Enumerable.Range(0, count).Select(d => (double)d)];

    private static double[] ToDouble(int[] values) => [.. values.Select(v => (double)v)];

    private static string Html(SimulationResult result, List<(string File, string Caption)> charts)
    {
        var m = result.Metrics;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bluezone simulation</title>\n")
            .Append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}td.n{text-align:right}figure{margin:1.5em 0}")
            .Append("figcaption{color:#555}</style></head><body>\n")
            .Append("<h1>Bluezone city simulation</h1>\n<p>")
            .Append(Encode($"{m.People:N0} people, {m.AppUsers:N0} with the app, {m.Days} days, seed {m.Seed}; phone models: {result.PhoneModels}. "))
            .Append("Every app user ran the real device core; uploads and downloads went through the real server over HTTP. ")
            .Append("The simulator knows who was really within 2 m of whom for how long; the phones do not. ")
            .Append("How each number is defined: docs/simulation.md.</p>\n<table>\n");
        foreach (var (label, value) in Rows(m))
        {
            html.Append("<tr><th>").Append(Encode(label)).Append("</th><td class=\"n\">").Append(Encode(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        foreach (var (file, caption) in charts)
        {
            html.Append("<figure><img src=\"").Append(Encode(file)).Append("\" alt=\"").Append(Encode(caption))
                .Append("\" width=\"").Append(Width).Append("\"><figcaption>").Append(Encode(caption)).Append("</figcaption></figure>\n");
        }

        html.Append("<h2>Scenario</h2>\n<pre>").Append(Encode(result.Options.ToJson())).Append("</pre>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>The summary rows shared by the HTML report and the CLI's table.</summary>
    public static IEnumerable<(string Label, string Value)> Rows(SimulationMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        yield return ("People / app users", $"{m.People:N0} / {m.AppUsers:N0}");
        yield return ("Infections without the app", m.InfectionsWithoutApp.ToString("N0", CultureInfo.InvariantCulture));
        yield return ("Infections with the app", m.InfectionsWithApp.ToString("N0", CultureInfo.InvariantCulture));
        yield return ("Confirmed cases / F0 uploads", $"{m.ConfirmedCases:N0} / {m.F0Uploads:N0}");
        yield return ("Warned F1 / F2", $"{m.WarnedF1:N0} / {m.WarnedF2:N0}");
        yield return ("Recursive uploads (refused)", $"{m.RecursiveUploads:N0} ({m.RecursiveRefused:N0})");
        yield return ("Close contacts detected (TPR)", Rate(m.CloseContactTruePositiveRate));
        yield return ("Not-close pairs scored risky (FPR)", Rate(m.CloseContactFalsePositiveRate));
        yield return ("F1 precision / recall", $"{Rate(m.F1Precision)} / {Rate(m.F1Recall)}");
        yield return ("F2 precision / recall", $"{Rate(m.F2Precision)} / {Rate(m.F2Recall)}");
        yield return ("F1 warned who were infected", Rate(m.F1InfectedShare));
        yield return ("Median hours confirmation → F1 warning", m.MedianHoursConfirmationToWarning?.ToString("0.0", CultureInfo.InvariantCulture) ?? "n/a");
        yield return ("History close-contact count error (median, mean |error|)", $"{Num(m.HistoryPeopleCountErrorMedian)}, {Num(m.HistoryPeopleCountAbsErrorMean)}");
        yield return ("Run time / person-days per second", $"{m.RunSeconds:0.0} s / {m.PersonDaysPerSecond:N0}");
    }

    private static string Rate(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    private static string Num(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "n/a";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

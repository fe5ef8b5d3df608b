using System.CommandLine;
using System.Globalization;
using Bluezone.Simulation;
using Bluezone.Simulation.Measures;
using Bluezone.Simulation.Radio;
using Bluezone.Simulation.Report;

namespace Bluezone.Cli.Simulation;

/// <summary><c>bluezone simulate …</c> and <c>bluezone demo</c>: the city simulator (docs/simulation.md).</summary>
internal static class SimulateCommand
{
    /// <summary>The demo city: three thousand people, 60 % adoption, three weeks (about two minutes on an idle 2-core machine).</summary>
    public const int DemoPeople = 3000;

    public static Command Create()
    {
        var scenario = new Option<FileInfo?>("--scenario") { Description = "Scenario JSON file (see docs/simulation.md); flags below override it." };
        var people = new Option<int?>("--people") { Description = "Number of people in the city." };
        var adoption = new Option<double?>("--adoption") { Description = "Share of people with the app on day 0 (0–1)." };
        var days = new Option<int?>("--days") { Description = "Simulated days." };
        var seed = new Option<int?>("--seed") { Description = "Random seed: the same seed gives the same metrics.json (except timings)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for metrics.json, report.html and the charts.", Required = true };
        var profile = new Option<bool>("--profile") { Description = "Print where the time went, phase by phase, on stderr." };
        var command = new Command("simulate", "Simulate a city: real device cores, the real server on loopback, an epidemic, and detection measured against the truth.")
        {
            scenario, people, adoption, days, seed, output, profile,
        };
        command.SetAction((parse, writer) =>
        {
            var options = parse.GetValue(scenario) is { } file ? ScenarioOptions.Load(file.FullName) : new ScenarioOptions();
            options.People = parse.GetValue(people) ?? options.People;
            options.Response.Adoption = parse.GetValue(adoption) ?? options.Response.Adoption;
            options.Days = parse.GetValue(days) ?? options.Days;
            options.Seed = parse.GetValue(seed) ?? options.Seed;
            return Run(options, parse.GetValue(output)!, writer, parse.InvocationConfiguration.Error, parse.GetValue(profile));
        });
        return command;
    }

    public static Command CreateDemo()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for metrics.json, report.html and the charts.", DefaultValueFactory = _ => new DirectoryInfo("bluezone-demo") };
        var command = new Command("demo", $"The whole system end to end: a city of {DemoPeople:N0} people, 60 % with the app, three weeks; writes a report.") { output };
        command.SetAction((parse, writer) =>
        {
            var options = new ScenarioOptions { People = DemoPeople, Days = 21 };
            options.Response.Adoption = 0.6;
            return Run(options, parse.GetValue(output)!, writer, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    private static int Run(ScenarioOptions options, DirectoryInfo output, TextWriter writer, TextWriter error, bool profile = false)
    {
        options.Validate();
        if (options.Radio.CalibrationPath is { } calibration && !File.Exists(calibration))
        {
            // The run goes on (the device defaults are a documented model), but its radio differs from a run
            // with the table, so the results do too: say so before hours of simulation, not only in metrics.json.
            error.WriteLine($"warning: no calibration table at {Path.GetFullPath(calibration)}: the phones use the {PhoneModels.Defaults.Source}. Run from the repository root, with ../shared beside it, or set radio.calibrationPath.");
        }

        var progress = new ProgressBar(error);
        var result = CitySimulator.RunAsync(options, progress: progress.Report).GetAwaiter().GetResult();
        progress.Done();
        if (profile)
        {
            WriteProfile(result.Profile, error);
        }

        ReportWriter.Write(result, output.FullName);

        var rows = ReportWriter.Rows(result.Metrics).ToList();
        var width = rows.Max(r => r.Label.Length);
        foreach (var (label, value) in rows)
        {
            writer.WriteLine($"{label.PadRight(width)}  {value}");
        }

        writer.WriteLine();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Report: {Path.Combine(output.FullName, ReportWriter.ReportFile)}"));
        return ExitCodes.Success;
    }

    private static void WriteProfile(RunProfile profile, TextWriter error)
    {
        var seconds = profile.Seconds;
        var total = seconds.Values.Sum();
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Profile (wall seconds, both runs; {profile.PhoneDays:N0} phone-days):"));
        foreach (var (phase, value) in seconds)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase,-15} {value,8:F1} s  {(total > 0 ? value / total : 0),6:P1}"));
        }

        if (profile.PhoneDays > 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  per phone-day: pump and hear {seconds[RunPhase.PumpAndHear] * 1000 / profile.PhoneDays:F2} ms wall; thread time in Pump {profile.DevicePumpSeconds * 1000 / profile.PhoneDays:F2} ms, in delivering adverts {profile.HearSeconds * 1000 / profile.PhoneDays:F2} ms"));
        }

        var (confirmed, recursive) = (profile.ConfirmedUploads, profile.RecursiveUploads);
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server exchange: {confirmed.Count:N0} F0 uploads (code, verification, upload) {confirmed.MillisecondsEach:F1} ms each; {recursive.Count:N0} recursive uploads {recursive.MillisecondsEach:F1} ms each; publishing and downloading {seconds[RunPhase.ServerExchange] - confirmed.Seconds - recursive.Seconds:F1} s"));
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  phones checked against new exports: {profile.PhoneChecks:N0}; matched in full (had heard a published RPI): {profile.PhoneMatches:N0}"));
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  largest managed heap at a day's end: {profile.PeakHeapBytes / 1048576.0:N0} MiB; garbage collections (gen 0/1/2): {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalSeconds:F1} s; allocated {GC.GetTotalAllocatedBytes() / 1073741824.0:F1} GiB"));
        {
        }
    }

    /// <summary>One line on stderr, rewritten in place: phase and a bar.</summary>
    private sealed class ProgressBar(TextWriter error)
    {
        private const int Width = 30;
        private string _last = "";

        public void Report(string phase, double fraction)
        {
            var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * Width);
            var line = string.Create(CultureInfo.InvariantCulture, $"\r{phase,-16} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0}");
            if (line != _last)
            {
                error.Write(line);
                error.Flush();
                _last = line;
            }
        }

        public void Done()
        {
            error.WriteLine();
        }
    }
}

using System.Text.Json;
using Bluezone.Tests;

namespace Bluezone.Cli.Tests.Simulation;

/// <summary>The <c>simulate</c> verb, run in-process through the real command line on a small city.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bluezone-cli-simulate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Simulate_with_profile_writes_the_metrics_and_prints_where_the_time_went()
    {
        var run = CliRun.Of("simulate", "--people", "300", "--days", "2", "--seed", "5", "--out", _directory, "--profile");

        Assert.Equal(0, run.ExitCode);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "metrics.json")));
        Assert.Equal(300, metrics.RootElement.GetProperty("people").GetInt32());
        Assert.True(metrics.RootElement.GetProperty("appUsers").GetInt32() > 100);
        Assert.Contains(run.ErrorLines, l => l.StartsWith("Profile (wall seconds, both runs;", StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.StartsWith("PumpAndHear", StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.StartsWith("per phone-day: pump and hear", StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.StartsWith("server exchange: ", StringComparison.Ordinal) && l.Contains("recursive uploads", StringComparison.Ordinal));
        Assert.DoesNotContain("Profile", run.Output, StringComparison.Ordinal); // the summary table stays clean
    }

    [Fact]
    public void Simulate_without_profile_prints_no_profile()
    {
        var run = CliRun.Of("simulate", "--people", "100", "--days", "1", "--out", _directory);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(run.ErrorLines, l => l.StartsWith("Profile", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_calibration_table_is_warned_about_and_the_run_uses_the_device_defaults()
    {
        var table = SharedData.PathOf("calibration/en-calibration-2020-06-13.csv");
        var missing = Path.Combine(_directory, "no-such-table.csv");
        string[] Warnings(string path, string name)
        {
            var scenario = Path.Combine(_directory, name + ".json");
            File.WriteAllText(scenario, JsonSerializer.Serialize(new { radio = new { calibrationPath = path } }));
            var run = CliRun.Of("simulate", "--scenario", scenario, "--people", "100", "--days", "1", "--out", Path.Combine(_directory, name));
            Assert.Equal(0, run.ExitCode);
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, name, "metrics.json")));
            Assert.Equal(path == missing, metrics.RootElement.GetProperty("phoneModels").GetString()!.StartsWith("device defaults", StringComparison.Ordinal));
            return [.. run.ErrorLines.Where(l => l.StartsWith("warning: no calibration table", StringComparison.Ordinal))];
        }

        Assert.Contains(missing, Assert.Single(Warnings(missing, "missing")), StringComparison.Ordinal);
        Assert.Empty(Warnings(table, "found"));
    }
}

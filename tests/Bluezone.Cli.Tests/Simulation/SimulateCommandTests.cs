using System.Text.Json;

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
        Assert.DoesNotContain("Profile", run.Output, StringComparison.Ordinal); // the summary table stays clean
    }

    [Fact]
    public void Simulate_without_profile_prints_no_profile()
    {
        var run = CliRun.Of("simulate", "--people", "100", "--days", "1", "--out", _directory);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(run.ErrorLines, l => l.StartsWith("Profile", StringComparison.Ordinal));
    }
}

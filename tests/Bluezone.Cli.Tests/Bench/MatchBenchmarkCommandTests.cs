using System.Text.RegularExpressions;

namespace Bluezone.Cli.Tests.Bench;

public sealed partial class MatchBenchmarkCommandTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void Finds_every_planted_key_and_ends_with_the_rate(string threads)
    {
        var run = CliRun.Of("bench", "match", "--keys", "3000", "--sightings", "20000", "--planted", "7", "--threads", threads);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("planted 7, found 7", run.OutputLines);
        Assert.Matches(RateLine(), run.OutputLines[^1]);
    }

    [Theory]
    [InlineData("--keys", "0")]
    [InlineData("--sightings", "-5")]
    [InlineData("--planted", "5000")]
    public void Out_of_range_sizes_are_refused(string option, string value)
    {
        var run = CliRun.Of("bench", "match", "--keys", "1000", "--sightings", "1000", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
    }

    [GeneratedRegex("^match: [0-9]+ keys/s$")]
    private static partial Regex RateLine();
}

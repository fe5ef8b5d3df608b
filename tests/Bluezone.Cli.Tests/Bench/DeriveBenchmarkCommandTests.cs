using System.Text.RegularExpressions;

namespace Bluezone.Cli.Tests.Bench;

/// <summary>Runs <c>bluezone bench derive</c> in-process: the output contract, not the speed.</summary>
public sealed partial class DeriveBenchmarkCommandTests
{
    [GeneratedRegex(@"^derive: [0-9]+ keys/s$")]
    private static partial Regex LastLine();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Derive_ends_with_the_keys_per_second_line(int threads)
    {
        var run = CliRun.Of("bench", "derive", "--keys", "20000", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.Matches(LastLine(), lines[^1]);
        Assert.True(long.Parse(lines[^1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("keys: 20000", lines);
        Assert.Contains($"threads: {threads}", lines);
        Assert.Contains(lines, l => Regex.IsMatch(l, "^checksum: [0-9a-f]{16}$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, "^peak: [0-9]+ keys/s per thread"));
        Assert.Contains("bench derive: 20000 keys", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--keys", "0")]
    [InlineData("--keys", "-5")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "100000")]
    public void Out_of_range_counts_are_usage_errors(string option, string value)
    {
        var run = CliRun.Of("bench", "derive", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("bluezone: " + option + " must be", run.Error, StringComparison.Ordinal);
    }
}

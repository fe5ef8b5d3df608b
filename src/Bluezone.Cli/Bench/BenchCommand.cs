using System.CommandLine;

namespace Bluezone.Cli.Bench;

/// <summary>
/// <c>bluezone bench …</c>: throughput measurements of the hot paths on this machine. Each verb lives in
/// its own file and is listed here; every verb ends its standard output with one line
/// <c>NAME: VALUE UNIT</c> so scripts can read the figure with <c>tail -1</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the throughput of Bluezone's hot paths on this machine.")
    {
        DeriveBenchmarkCommand.Create(),
    };
}

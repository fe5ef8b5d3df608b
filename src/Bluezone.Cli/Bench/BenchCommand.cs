using System.CommandLine;

namespace Bluezone.Cli.Bench;

/// <summary><c>bluezone bench …</c>: throughput measurements of the real parts.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the throughput of Bluezone's parts.")
    {
        IngestBenchmarkCommand.Create(),
    };
}

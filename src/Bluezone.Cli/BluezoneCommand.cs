using System.CommandLine;
using Bluezone.Cli.Bench;
using Bluezone.Cli.Device;
using Bluezone.Cli.Export;
using Bluezone.Cli.Keys;
using Bluezone.Cli.Server;
using Bluezone.Cli.Simulation;

namespace Bluezone.Cli;

/// <summary>The root of the <c>bluezone</c> command: each part of the system contributes one verb group.</summary>
internal static class BluezoneCommand
{
    public static RootCommand Create() => new("Bluezone: Bluetooth proximity tracing — keys, exports, server, devices, simulation.")
    {
        KeysCommand.Create(),
        ExportCommand.Create(),
        DeviceCommand.Create(),
        BenchCommand.Create(),
        ServerCommand.Create(),
        SimulateCommand.Create(),
        SimulateCommand.CreateDemo(),
    };

    /// <summary>Runs the command line with explicit writers, so tests drive the real CLI in-process.</summary>
    public static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Errors.Count > 0 && !IsHelpRequest(args))
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"bluezone: {parseError.Message}");
            }

            return ExitCodes.UsageError;
        }

        return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static bool IsHelpRequest(string[] args) => args.Any(a => a is "-h" or "--help" or "-?");
}

using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;

namespace Bluezone.Cli;

/// <summary>
/// Wraps a verb's body so that bad input of any kind ends as one line on stderr and exit code 2, never a
/// stack trace. Only exceptions that describe the input are caught; programming errors still surface.
/// </summary>
internal static class VerbAction
{
    public static void SetAction(this Command command, Func<ParseResult, TextWriter, int> body) =>
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                return body(parseResult, output);
            }
            catch (Exception e) when (IsInputError(e))
            {
                error.WriteLine($"bluezone: {e.Message}");
                return ExitCodes.UsageError;
            }
        });

    private static bool IsInputError(Exception e) =>
        e is FormatException // includes ProtocolFormatException
            or IOException // includes FileNotFoundException, DirectoryNotFoundException
            or UnauthorizedAccessException
            or JsonException
            or CryptographicException
            or ArgumentException
            or InvalidDataException;
}

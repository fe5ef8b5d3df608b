using System.Diagnostics;

namespace Bluezone.Tests;

/// <summary>
/// The system's <c>openssl</c> command, an implementation independent of .NET's, used to check that what
/// Bluezone computes and writes is what other tools compute and accept. ./test.sh installs it when missing.
/// </summary>
internal static class OpenSsl
{
    /// <summary>Runs openssl with <paramref name="input"/> on stdin; returns stdout, throws when it fails.</summary>
    public static byte[] Run(byte[] input, params string[] args)
    {
        var (exitCode, output, error) = Execute(input, args);
        return exitCode == 0 ? output : throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error}");
    }

    /// <summary>Runs openssl for a verdict (e.g. <c>dgst -verify</c>): whether it succeeded, and what it printed.</summary>
    public static (bool Success, string Output) Check(params string[] args)
    {
        var (exitCode, output, error) = Execute([], args);
        return (exitCode == 0, System.Text.Encoding.UTF8.GetString(output) + error);
    }

    private static (int ExitCode, byte[] Output, string Error) Execute(byte[] input, string[] args)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var errorTask = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        return (process.ExitCode, output.ToArray(), errorTask.Result);
    }
}

using System.Diagnostics;

namespace Bluezone.Tests;

/// <summary>
/// The system's <c>openssl</c> command, an implementation independent of .NET's, used to check that what
/// Bluezone computes and writes is what other tools compute and accept. ./test.sh installs it when missing.
/// </summary>
internal static class OpenSsl
{
    public static byte[] Run(byte[] input, params string[] args)
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
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {errorTask.Result}");
        }

        return output.ToArray();
    }
}

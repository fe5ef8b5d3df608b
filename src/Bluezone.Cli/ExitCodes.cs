namespace Bluezone.Cli;

/// <summary>Exit codes shared by every verb, so scripts can tell a failed check from bad input.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A check the verb performs did not pass (e.g. a signature did not verify).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input: unparsable arguments, a missing or malformed file.</summary>
    public const int UsageError = 2;
}

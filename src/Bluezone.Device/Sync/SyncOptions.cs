namespace Bluezone.Device.Sync;

/// <summary>How the phone talks to the server: retries with backoff, timeouts, limits on what it accepts.</summary>
public sealed class SyncOptions
{
    /// <summary>Retries after the first attempt of a call that failed transiently (network error, 408, 429, 5xx).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff delay; each retry doubles it, with jitter so phones do not retry in step.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest one attempt may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest export file downloaded; anything larger is refused unread.</summary>
    public int MaxExportFileBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Hardest join proof of work the phone will attempt (the server's default is 20 bits, about a second); a
    /// server asking for more is refused rather than draining the battery.
    /// </summary>
    public int MaxJoinDifficultyBits { get; set; } = 26;

    /// <summary>Threads for matching (a phone has several cores; the simulator runs many phones and uses 1).</summary>
    public int MatchThreads { get; set; } = 1;

    public void Validate()
    {
        if (MaxRetries is < 0 or > 10 || RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > TimeSpan.FromMinutes(10)
            || AttemptTimeout <= TimeSpan.Zero || MaxExportFileBytes < 1024 || MaxJoinDifficultyBits is < 1 or > 40 || MatchThreads < 1)
        {
            throw new ArgumentException("Sync options: MaxRetries 0–10, RetryBaseDelay 0–10 min, AttemptTimeout > 0, MaxExportFileBytes ≥ 1024, MaxJoinDifficultyBits 1–40, MatchThreads ≥ 1 are required.");
        }
    }
}

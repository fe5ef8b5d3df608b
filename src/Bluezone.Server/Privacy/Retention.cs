using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Privacy;

/// <summary>
/// Deletes everything older than the retention period (DESIGN.md §7: 14 days): keys, heard tokens, exports,
/// codes, tokens, and spent join proofs whose challenge has expired. Deletes are idempotent, so every instance
/// may run it.
/// </summary>
public sealed class Retention(IDbContextFactory<BluezoneDbContext> contexts, DatabaseWrites writes, TimeProvider time, IOptions<PrivacyOptions> options)
{
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.RetentionPeriod;
        return await writes.RunAsync(db, async ct =>
        {
            var deleted = 0;
            deleted += await db.PublishedKeys.Where(k => k.ReceivedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += await db.HeardTokenSets.Where(s => s.ReceivedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += await db.ExportBatches.Where(b => b.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += await db.UploadTokens.Where(t => t.IssuedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += await db.VerificationCodes.Where(c => c.IssuedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += await db.SpentJoinProofs.Where(p => p.ExpiresAt < now).ExecuteDeleteAsync(ct);
            return (deleted, true);
        }, cancellationToken);
    }
}

internal sealed partial class RetentionService(Retention retention, TimeProvider time, IOptions<PrivacyOptions> options, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deleted = await retention.DeleteExpiredAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(options.Value.RetentionInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Rows} expired rows")]
    private static partial void LogDeleted(ILogger logger, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention failed; retrying at the next run")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

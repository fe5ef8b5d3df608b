using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Hosting;
using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using BatchRow = Bluezone.Server.Storage.ExportBatch;
using ProtocolBatch = Bluezone.Protocol.Export.ExportBatch;

namespace Bluezone.Server.Exports;

/// <summary>
/// Builds the signed export files. Periods end on multiples of the batch interval (UTC); each due period becomes
/// one batch holding every key that has expired by the period's end and is in no batch yet. Everything — the
/// lease fence, the batch row (unique end), the claim of the keys (conditional update) and the files — is written
/// in one transaction, so a batch is published completely or not at all, and every key lands in exactly one batch.
/// </summary>
public sealed partial class ExportPublisher(
    IDbContextFactory<BluezoneDbContext> contexts,
    DatabaseWrites writes,
    ExportSigningKey signingKey,
    RandomNumberGenerator random,
    TimeProvider time,
    ServerMetrics metrics,
    IOptions<ExportOptions> options,
    ILogger<ExportPublisher> logger)
{
    private const int ClaimChunk = 1000;
    private readonly ExportOptions _options = options.Value;

    /// <summary>Identifies this process as lease holder.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Publishes the batch due now, if this instance holds the lease; returns the number of files written.</summary>
    public async Task<int> PublishDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var intervalSeconds = (long)_options.BatchInterval.TotalSeconds;
        var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / intervalSeconds * intervalSeconds);
        if (!await ExportLease.TryAcquireAsync(db, InstanceId, now, _options.LeaseDuration, cancellationToken))
        {
            return 0;
        }

        if (await db.ExportBatches.AnyAsync(b => b.EndTime >= end, cancellationToken))
        {
            return 0;
        }

        var start = end;
        var files = await writes.RunAsync(db, async ct =>
        {
            // The fence: if another instance took the lease since, this transaction publishes nothing.
            if (!await ExportLease.TryAcquireAsync(db, InstanceId, now, _options.LeaseDuration, ct))
            {
                return (0, false);
            }

            // Each batch starts where the last one ended, so periods neither overlap nor leave gaps.
            var lastEnd = await db.ExportBatches.MaxAsync(b => (DateTimeOffset?)b.EndTime, ct);
            if (lastEnd >= end)
            {
                return (0, false);
            }

            start = lastEnd ?? end - _options.BatchInterval;

            var keys = await db.PublishedKeys.AsNoTracking()
                .Where(k => k.ExportBatchId == null && k.AvailableAt <= end)
                .OrderBy(k => k.Id)
                .ToListAsync(ct);
            var batch = new BatchRow { StartTime = start, EndTime = end, CreatedAt = now, KeyCount = keys.Count };
            db.ExportBatches.Add(batch);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e))
            {
                return (0, false);
            }

            var claimed = 0;
            foreach (var chunk in keys.Select(k => k.Id).Chunk(ClaimChunk))
            {
                claimed += await db.PublishedKeys
                    .Where(k => chunk.Contains(k.Id) && k.ExportBatchId == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExportBatchId, batch.Id), ct);
            }

            if (claimed != keys.Count)
            {
                // Someone else exported some of these keys meanwhile: publish nothing rather than twice.
                return (0, false);
            }

            if (keys.Count > 0)
            {
                foreach (var file in BuildFiles(keys, start, end, now))
                {
                    batch.Files.Add(file);
                }

                batch.FileCount = batch.Files.Count;
                await db.SaveChangesAsync(ct);
            }

            return (batch.FileCount, true);
        }, cancellationToken);

        if (files > 0)
        {
            LogPublished(logger, files, start, end);
            for (var i = 0; i < files; i++)
            {
                metrics.ExportFilePublished();
            }
        }

        return files;
    }

    /// <summary>Gives up the lease (at shutdown).</summary>
    public async Task ReleaseLeaseAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await ExportLease.ReleaseAsync(db, InstanceId, cancellationToken);
    }

    private List<ExportFile> BuildFiles(List<PublishedKey> rows, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        var real = rows.Select(r => new ExportedKey(
            new TemporaryExposureKey(r.KeyData, new IntervalNumber(r.RollingStartIntervalNumber), r.RollingPeriod),
            (ReportType)r.ReportType,
            r.DaysSinceOnsetOfSymptoms)).ToList();
        var padded = ExportPadding.Pad(real, _options.MinKeys, _options.PaddingJitter, random);

        // Padding appends: shuffle before splitting so every file of a large batch mixes real and fake keys
        // (each file's writer then sorts its keys by bytes).
        var shuffled = padded.ToArray();
        for (var i = shuffled.Length - 1; i > 0; i--)
        {
            var j = UniformIndex(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        var chunks = shuffled.Chunk(_options.MaxKeysPerFile).ToList();
        var files = new List<ExportFile>(chunks.Count);
        for (var n = 0; n < chunks.Count; n++)
        {
            var content = new ProtocolBatch(_options.Region, start, end, n + 1, chunks.Count, [signingKey.Info], chunks[n]);
            var zip = ExportArchive.Create(content, signingKey.Key);
            files.Add(new ExportFile
            {
                Name = $"{start.ToUnixTimeSeconds()}-{end.ToUnixTimeSeconds()}-{n + 1:D5}.zip",
                BatchNumber = n + 1,
                BatchSize = chunks.Count,
                Content = zip,
                ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(zip))[..32]}\"",
                CreatedAt = now,
            });
        }

        return files;
    }

    private int UniformIndex(int exclusiveMax)
    {
        Span<byte> bytes = stackalloc byte[4];
        var limit = uint.MaxValue - (uint.MaxValue % (uint)exclusiveMax);
        while (true)
        {
            random.GetBytes(bytes);
            var value = BitConverter.ToUInt32(bytes);
            if (value < limit)
            {
                return (int)(value % (uint)exclusiveMax);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Files} export file(s) for {Start:O} – {End:O}")]
    private static partial void LogPublished(ILogger logger, int files, DateTimeOffset start, DateTimeOffset end);
}

using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Bluezone.Server.Storage;
using Bluezone.Server.Verification;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Publishing;

/// <summary>
/// An F0's upload (POST /v1/publish): spends the upload token and stores the keys and heard tokens, all in one
/// transaction. The token is spent by a conditional update, so of concurrent uploads with one token exactly one
/// is stored; if storing fails (e.g. a key was already published as confirmed) the token stays unspent and nothing
/// is kept. A key published earlier as RECURSIVE (its owner was an F1 and has now tested positive) is published
/// again as confirmed, so its contacts become F1 rather than F2.
/// </summary>
public sealed class ConfirmedUploads(BluezoneDbContext db, DatabaseWrites writes, SecretHasher hasher, TimeProvider time, ServerMetrics metrics)
{
    /// <summary>Infectious window: from two days before symptom onset, or 14 days before the test when onset is unknown.</summary>
    public static DateOnly InfectiousWindowStart(DateOnly testDate, DateOnly? symptomOnsetDate) =>
        symptomOnsetDate?.AddDays(-2) ?? testDate.AddDays(-14);

    public async Task<(PublishResponse? Response, ApiError? Error)> PublishAsync(PublishRequest request, string? authorization, bool chaff, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (upload, invalid) = UploadValidation.Validate(request, now, acceptHeardTokens: true);
        if (invalid is not null)
        {
            metrics.Upload("confirmed", invalid.Error);
            return (null, invalid);
        }

        if (BearerToken(authorization) is not { } token)
        {
            return (null, ApiError.Unauthorized("token_missing", "An upload token is required: Authorization: Bearer TOKEN."));
        }

        var tokenHash = hasher.Hash(SecretPurpose.UploadToken, token);
        if (chaff)
        {
            _ = await db.UploadTokens.AsNoTracking().AnyAsync(t => t.TokenHash == tokenHash, cancellationToken);
            return (new PublishResponse(upload!.Keys.Count), null);
        }

        var result = await writes.RunAsync(db, async ct =>
        {
            var row = await db.UploadTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == tokenHash, ct);
            if (row is null)
            {
                return ((null, ApiError.Unauthorized("token_unknown", "The upload token is not valid.")), false);
            }

            if (row.UsedAt is not null)
            {
                return ((null, ApiError.Conflict("token_used", "The upload token has already been used.")), false);
            }

            if (now >= row.ExpiresAt)
            {
                return ((null, ApiError.Unauthorized("token_expired", "The upload token has expired.")), false);
            }

            var spent = await db.UploadTokens
                .Where(t => t.Id == row.Id && t.UsedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
            if (spent != 1)
            {
                return ((null, ApiError.Conflict("token_used", "The upload token has already been used.")), false);
            }

            var windowStart = InfectiousWindowStart(row.TestDate, row.SymptomOnsetDate);
            var onset = row.SymptomOnsetDate ?? row.TestDate;
            var kept = upload!.Keys.Where(k => k.Day >= windowStart)
                .OrderBy(k => k.KeyData.ToArray(), KeyBytesOrder.Instance).ToList();
            await WithdrawUnexportedRecursiveCopiesAsync(kept, ct);
            foreach (var key in kept)
            {
                db.PublishedKeys.Add(ToRow(key, row.ReportType, key.Day.DayNumber - onset.DayNumber, now));
            }

            HeardTokenSet? set = null;
            if (upload.HeardTokens.Count > 0)
            {
                set = new HeardTokenSet
                {
                    WindowStartIntervalNumber = IntervalNumber.FirstOfDay(windowStart).Value,
                    WindowEndIntervalNumber = IntervalNumber.FromTime(now).Value,
                    ReceivedAt = now,
                };
                db.HeardTokenSets.Add(set);
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e))
            {
                return ((null, ApiError.Conflict("key_already_published", "A key in this upload has already been published as confirmed; nothing was stored.")), false);
            }

            if (set is not null)
            {
                // One phone may report a token twice (heard in two scans); store each once.
                var distinct = upload.HeardTokens.Distinct().Select(t => (unchecked((long)t.High), unchecked((long)t.Low))).ToList();
                await HeardTokenBulkInsert.InsertAsync(db, set.Id, distinct, ct);
            }

            return (((PublishResponse?)new PublishResponse(kept.Count), (ApiError?)null), true);
        }, cancellationToken);

        metrics.Upload("confirmed", result.Item2?.Error ?? "ok");
        if (result.Item1 is { } ok)
        {
            metrics.KeysPublished(ok.Inserted, "confirmed");
        }

        return result;
    }

    /// <summary>
    /// Deletes the RECURSIVE rows of these keys that no export holds yet: the confirmed copy replaces them, so no
    /// export file lists one key twice. A recursive row already exported stays (phones have it; the confirmed copy
    /// follows in the next batch and outranks it on the phone). Deleted in id order, the order in which the publisher
    /// claims keys, so on PostgreSQL an upload and a batch wait for each other instead of deadlocking; a row the
    /// publisher claimed meanwhile is simply not deleted, and a batch that loses a row to this delete rolls back and
    /// is published again at the next tick.
    /// </summary>
    private async Task WithdrawUnexportedRecursiveCopiesAsync(List<TemporaryExposureKey> keys, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        foreach (var key in keys)
        {
            var data = key.KeyData.ToArray();
            ids.AddRange(await db.PublishedKeys.AsNoTracking()
                .Where(k => k.KeyData == data && k.ReportType == ReportTypes.Recursive && k.ExportBatchId == null)
                .Select(k => k.Id)
                .ToListAsync(cancellationToken));
        }

        ids.Sort();
        foreach (var id in ids)
        {
            await db.PublishedKeys.Where(k => k.Id == id && k.ExportBatchId == null).ExecuteDeleteAsync(cancellationToken);
        }
    }

    internal static PublishedKey ToRow(TemporaryExposureKey key, int reportType, int daysSinceOnset, DateTimeOffset now) => new()
    {
        KeyData = key.KeyData.ToArray(),
        RollingStartIntervalNumber = key.RollingStartIntervalNumber.Value,
        RollingPeriod = key.RollingPeriod,
        ReportType = reportType,
        DaysSinceOnsetOfSymptoms = Math.Clamp(daysSinceOnset, -14, 14),
        ReceivedAt = now,

        // Held until the key has expired on the phone: publishing a live key would let anyone replay it today.
        AvailableAt = key.ExpiryIntervalNumber.StartTime,
    };

    private static string? BearerToken(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[scheme.Length..].Trim();
        return token.Length is > 0 and <= 200 ? token : null;
    }
}

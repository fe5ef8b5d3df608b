using Bluezone.Protocol.Time;
using Bluezone.Server.Hosting;
using Bluezone.Server.Storage;
using Bluezone.Server.Verification;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Publishing;

/// <summary>
/// An F1's upload (POST /v1/publish/recursive): no code, but a contact proof. Only keys from the proven exposure
/// day on are kept, as report type RECURSIVE; heard tokens are not taken from an F1, so warnings stop at F2.
/// </summary>
public sealed class RecursiveUploads(BluezoneDbContext db, DatabaseWrites writes, ContactProof proof, TimeProvider time, ServerMetrics metrics)
{
    private static ApiError AlreadyPublished => ApiError.Conflict("key_already_published", "A key in this upload has already been published; nothing was stored.");

    public async Task<(PublishResponse? Response, ApiError? Error)> PublishAsync(PublishRequest request, bool chaff, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (upload, invalid) = UploadValidation.Validate(request, now, acceptHeardTokens: false);
        if (invalid is not null)
        {
            metrics.Upload("recursive", invalid.Error);
            return (null, invalid);
        }

        var contact = await proof.FindEarliestContactAsync(upload!.Keys, IntervalNumber.FromTime(now), cancellationToken);
        if (chaff)
        {
            return (new PublishResponse(upload.Keys.Count), null);
        }

        if (contact is not { } exposure)
        {
            metrics.Upload("recursive", "contact_proof_failed");
            return (null, ApiError.Forbidden("contact_proof_failed", "None of these keys was heard by a confirmed case's phone during its infectious window; nothing was stored."));
        }

        var exposureDay = exposure.Day;
        // Inserted in key byte order, like F0 uploads, so concurrent uploads take row locks in one order.
        var kept = upload.Keys.Where(k => k.Day >= exposureDay)
            .OrderBy(k => k.KeyData.ToArray(), KeyBytesOrder.Instance).ToList();
        var result = await writes.RunAsync(db, async ct =>
        {
            // A key already published as confirmed gains nothing from a RECURSIVE copy (phones take the confirmed one);
            // the unique indexes cover each role separately, so this role change is checked here, for all the keys in
            // one query (a query per key was most of an upload's database time).
            var data = kept.Select(k => k.KeyData.ToArray()).ToList();
            if (await db.PublishedKeys.AsNoTracking().AnyAsync(k => data.Contains(k.KeyData) && k.ReportType != ReportTypes.Recursive, ct))
            {
                return ((null, AlreadyPublished), false);
            }

            foreach (var key in kept)
            {
                // An F1 has no known symptom onset, so its keys carry none and phones weigh them 1 (the configuration's
                // rule for an unknown onset). An onset guessed from the exposure day (+5 days of incubation) would give
                // the days right after the exposure weight 0, and a contact the next day would never become F2.
                var row = ConfirmedUploads.ToRow(key, ReportTypes.Recursive, 0, now);
                row.DaysSinceOnsetOfSymptoms = null;
                db.PublishedKeys.Add(row);
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e))
            {
                return ((null, AlreadyPublished), false);
            }

            return (((PublishResponse?)new PublishResponse(kept.Count), (ApiError?)null), true);
        }, cancellationToken);

        metrics.Upload("recursive", result.Item2?.Error ?? "ok");
        if (result.Item1 is { } ok)
        {
            metrics.KeysPublished(ok.Inserted, "recursive");
        }

        return result;
    }
}

using System.Buffers.Text;
using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Community;

/// <summary>
/// "Cộng đồng Bluezoner": the number of installs. A join stores a daily counter increment and the digest of a
/// one-off proof of work (kept until its challenge expires, against replay) — nothing that identifies a person
/// or device. Inflating the count costs one proof of work per join, plus the per-client rate limit.
/// </summary>
public sealed class CommunityCounter(BluezoneDbContext db, DatabaseWrites writes, SecretHasher hasher, TimeProvider time, ServerMetrics metrics, IOptions<CommunityOptions> options)
{
    private readonly CommunityOptions _options = options.Value;

    public JoinChallenge Challenge()
    {
        var window = CurrentWindow(out var windowStart);
        var challenge = JoinProof.NewChallenge(hasher, window);
        return new JoinChallenge(Base64Url.EncodeToString(challenge), _options.DifficultyBits, windowStart + (2 * _options.ChallengeWindow));
    }

    public async Task<CommunityCount> CountAsync(CancellationToken cancellationToken)
    {
        var total = await db.CommunityDays.AsNoTracking().SumAsync(d => d.Joins, cancellationToken);
        var updated = await db.CommunityDays.AsNoTracking().MaxAsync(d => (DateTimeOffset?)d.UpdatedAt, cancellationToken);
        return new CommunityCount(total, updated ?? time.GetUtcNow());
    }

    public async Task<(CommunityCount? Count, ApiError? Error)> JoinAsync(JoinRequest request, bool chaff, CancellationToken cancellationToken)
    {
        var current = CurrentWindow(out _);
        var (digest, window, error) = JoinProof.Check(hasher, request, current, _options.DifficultyBits);
        if (error is not null)
        {
            return (null, error);
        }

        if (chaff)
        {
            return (await CountAsync(cancellationToken), null);
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var expires = DateTimeOffset.FromUnixTimeSeconds((window + 2) * (long)_options.ChallengeWindow.TotalSeconds);

        // Two first joins of a day can race to create its row; the loser's transaction is rolled back and retried.
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await writes.RunAsync<ApiError?>(db, async ct =>
            {
                db.SpentJoinProofs.Add(new SpentJoinProof { ProofHash = digest!, ExpiresAt = expires });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e))
                {
                    return ((ApiError?)ApiError.Conflict("join_proof_reused", "This proof has already been counted."), false);
                }

                var updated = await db.CommunityDays.Where(d => d.Day == today)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Joins, d => d.Joins + 1).SetProperty(d => d.UpdatedAt, now), ct);
                if (updated == 0)
                {
                    db.CommunityDays.Add(new CommunityDay { Day = today, Joins = 1, UpdatedAt = now });
                    try
                    {
                        await db.SaveChangesAsync(ct);
                    }
                    catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e) && attempt < 3)
                    {
                        return (null, false);
                    }
                }

                return ((ApiError?)null, true);
            }, cancellationToken);

            if (outcome is { } refused)
            {
                return (null, refused);
            }

            // Committed, or a lost race to retry: tell them apart by whether the proof is now stored.
            if (await db.SpentJoinProofs.AsNoTracking().AnyAsync(p => p.ProofHash == digest, cancellationToken))
            {
                metrics.Joined();
                return (await CountAsync(cancellationToken), null);
            }
        }
    }

    private long CurrentWindow(out DateTimeOffset windowStart)
    {
        var seconds = (long)_options.ChallengeWindow.TotalSeconds;
        var window = time.GetUtcNow().ToUnixTimeSeconds() / seconds;
        windowStart = DateTimeOffset.FromUnixTimeSeconds(window * seconds);
        return window;
    }
}

using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Publishing;

/// <summary>
/// The contact proof of an F1 upload (DESIGN.md §6): derive every RPI of every uploaded key, hash each as a heard
/// token, and look for a token that a confirmed F0 uploaded, heard within that F0's infectious window. The
/// earliest such interval is the proven exposure; nothing links the F1's upload to the F0's.
/// </summary>
public sealed class ContactProof(BluezoneDbContext db)
{
    /// <summary>
    /// Candidate tokens per query: every token of a full upload (30 keys × 144) in one, within the parameter limits
    /// of SQLite (32,766) and PostgreSQL (65,535); each query is a round trip and a plan, several per upload used to
    /// cost more than the look-ups themselves.
    /// </summary>
    private const int LookupChunk = PublishLimits.MaxKeys * IntervalNumber.PerDay;

    /// <summary>The earliest interval at which an uploaded key was heard by an F0, or null when none was.</summary>
    public async Task<IntervalNumber?> FindEarliestContactAsync(IReadOnlyList<TemporaryExposureKey> keys, IntervalNumber now, CancellationToken cancellationToken)
    {
        // All 144 identifiers of every key in one batched derivation (the platform's AES and SHA-256 per identifier
        // would cost more than the database lookup); intervals past the key's period or past now are skipped.
        var teks = new byte[keys.Count * TemporaryExposureKey.Length];
        var starts = new IntervalNumber[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            keys[k].KeyData.CopyTo(teks.AsSpan(k * TemporaryExposureKey.Length));
            starts[k] = keys[k].RollingStartIntervalNumber;
        }

        var rpis = new RollingProximityIdentifier[keys.Count * IntervalNumber.PerDay];
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(teks, starts, rpis);
        var candidates = new Dictionary<long, List<(long Low, int Interval)>>();
        for (var k = 0; k < keys.Count; k++)
        {
            for (var i = 0; i < keys[k].RollingPeriod; i++)
            {
                var interval = starts[k] + i;
                if (interval > now)
                {
                    break;
                }

                var token = HeardToken.FromRollingProximityIdentifier(rpis[(k * IntervalNumber.PerDay) + i]);
                var high = unchecked((long)token.High);
                if (!candidates.TryGetValue(high, out var list))
                {
                    candidates[high] = list = [];
                }

                list.Add((unchecked((long)token.Low), interval.Value));
            }
        }

        int? earliest = null;
        foreach (var chunk in candidates.Keys.Chunk(LookupChunk))
        {
            var hits = await (
                from token in db.HeardTokens.AsNoTracking()
                join set in db.HeardTokenSets.AsNoTracking() on token.SetId equals set.Id
                where chunk.Contains(token.High)
                select new { token.High, token.Low, set.WindowStartIntervalNumber, set.WindowEndIntervalNumber })
                .ToListAsync(cancellationToken);
            foreach (var hit in hits)
            {
                foreach (var (low, interval) in candidates[hit.High])
                {
                    if (low == hit.Low && interval >= hit.WindowStartIntervalNumber && interval <= hit.WindowEndIntervalNumber
                        && (earliest is null || interval < earliest))
                    {
                        earliest = interval;
                    }
                }
            }
        }

        return earliest is { } value ? new IntervalNumber(value) : null;
    }
}

using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Exports;

/// <summary>
/// A lease row in the database decides which instance publishes. Taking or renewing it is one conditional
/// UPDATE (<c>… WHERE holder = me OR expires_at &lt; now</c>), atomic on both providers. The lease is an
/// optimisation — it keeps the other instances idle — and is renewed inside the publishing transaction as a
/// fence; correctness rests on the batch end being unique and on keys being claimed by conditional update.
/// </summary>
public static class ExportLease
{
    public const string Name = "export-publisher";

    /// <summary>Takes the lease for <paramref name="holder"/> or renews it; true when it is now held.</summary>
    public static async Task<bool> TryAcquireAsync(BluezoneDbContext db, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        var until = now + duration;
        var rows = await db.Leases
            .Where(l => l.Name == Name && (l.Holder == holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), cancellationToken);
        return rows == 1;
    }

    /// <summary>Gives the lease up at shutdown so another instance need not wait for it to expire.</summary>
    public static Task ReleaseAsync(BluezoneDbContext db, string holder, CancellationToken cancellationToken) =>
        db.Leases
            .Where(l => l.Name == Name && l.Holder == holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, (string?)null).SetProperty(l => l.ExpiresAt, DateTimeOffset.UnixEpoch), cancellationToken);
}

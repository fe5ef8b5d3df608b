using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Verification;

/// <summary>
/// API keys of authority systems. A key is 32 random bytes, shown once; the database keeps its SHA-256 —
/// a keyed hash adds nothing for a secret with 256 bits of entropy, and this way the CLI can create keys
/// knowing only the database.
/// </summary>
public sealed class ApiKeys(BluezoneDbContext db, DatabaseWrites writes, RandomNumberGenerator random, TimeProvider time)
{
    public const string Header = "X-API-Key";
    private const string Prefix = "bzk_";

    /// <summary>Creates a key named <paramref name="name"/> and returns it; it cannot be shown again.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
        {
            throw new ArgumentException("--name must be 1–100 printable characters");
        }

        var bytes = new byte[32];
        random.GetBytes(bytes);
        var secret = Prefix + Base64Url.EncodeToString(bytes);
        var row = new ApiKey { Id = Guid.NewGuid(), Name = name, KeyHash = HashOf(secret), CreatedAt = time.GetUtcNow() };
        await writes.RunAsync(db, async ct =>
        {
            db.ApiKeys.Add(row);
            await db.SaveChangesAsync(ct);
            return (0, true);
        }, cancellationToken);
        return secret;
    }

    /// <summary>The id of the key presented, or null when it is missing or unknown.</summary>
    public async Task<Guid?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200)
        {
            return null;
        }

        var hash = HashOf(presented);
        var row = await db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => new { k.Id, k.KeyHash }).FirstOrDefaultAsync(cancellationToken);
        return row is not null && CryptographicOperations.FixedTimeEquals(row.KeyHash, hash) ? row.Id : null;
    }

    private static byte[] HashOf(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

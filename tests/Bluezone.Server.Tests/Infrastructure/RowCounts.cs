using Microsoft.EntityFrameworkCore;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>What a refused request must leave untouched.</summary>
public sealed record RowCounts(int Codes, int ClaimedCodes, int Tokens, int UsedTokens, int Keys, int HeardTokenSets, int HeardTokens, int JoinProofs, long Joins)
{
    public static Task<RowCounts> ReadAsync(ServerInstance server) => server.QueryAsync(async db => new RowCounts(
        await db.VerificationCodes.CountAsync(),
        await db.VerificationCodes.CountAsync(c => c.ClaimedAt != null),
        await db.UploadTokens.CountAsync(),
        await db.UploadTokens.CountAsync(t => t.UsedAt != null),
        await db.PublishedKeys.CountAsync(),
        await db.HeardTokenSets.CountAsync(),
        await db.HeardTokens.CountAsync(),
        await db.SpentJoinProofs.CountAsync(),
        await db.CommunityDays.SumAsync(d => d.Joins)));
}

using System.Buffers.Text;
using System.Security.Cryptography;
using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Verification;

/// <summary>Issues one-time codes for confirmed cases and exchanges them for upload tokens.</summary>
public sealed class VerificationCodes(
    BluezoneDbContext db,
    DatabaseWrites writes,
    SecretHasher hasher,
    RandomNumberGenerator random,
    TimeProvider time,
    ServerMetrics metrics,
    IOptions<VerificationOptions> options)
{
    private const int TokenBytes = 32;
    private readonly VerificationOptions _options = options.Value;

    public async Task<(IssueCodeResponse? Response, ApiError? Error)> IssueAsync(IssueCodeRequest request, Guid apiKeyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (string.IsNullOrWhiteSpace(request.CaseRef) || request.CaseRef.Length > 64 || request.CaseRef.Any(char.IsControl))
        {
            return (null, ApiError.BadRequest("invalid_case_ref", "caseRef must be 1–64 printable characters."));
        }

        if (ReportTypes.Parse(request.ReportType) is not { } reportType)
        {
            return (null, ApiError.BadRequest("invalid_report_type", "reportType must be \"confirmed\" or \"clinical\"."));
        }

        if (request.TestDate is not { } testDate || testDate > today || testDate < today.AddDays(-14))
        {
            return (null, ApiError.BadRequest("invalid_test_date", "testDate is required and must lie within the last 14 days (UTC)."));
        }

        if (request.SymptomOnsetDate is { } onset && (onset > today || onset < today.AddDays(-21)))
        {
            return (null, ApiError.BadRequest("invalid_symptom_onset_date", "symptomOnsetDate must lie within the last 21 days (UTC) and not after today."));
        }

        var caseHash = hasher.Hash(SecretPurpose.CaseReference, request.CaseRef.Trim());

        // A fresh code can collide with a stored one (10^8 short codes); the unique index refuses it and we draw again.
        for (var attempt = 0; ; attempt++)
        {
            var shortCode = VerificationCodeFormat.NewShortCode(random);
            var longCode = VerificationCodeFormat.NewLongCode(random);
            var row = new VerificationCode
            {
                Id = Guid.NewGuid(),
                ShortCodeHash = hasher.Hash(SecretPurpose.ShortCode, shortCode),
                LongCodeHash = hasher.Hash(SecretPurpose.LongCode, longCode),
                CaseReferenceHash = caseHash,
                ApiKeyId = apiKeyId,
                TestDate = testDate,
                SymptomOnsetDate = request.SymptomOnsetDate,
                ReportType = reportType,
                IssuedAt = now,
                ShortExpiresAt = now + _options.ShortCodeLifetime,
                LongExpiresAt = now + _options.LongCodeLifetime,
            };
            var stored = await writes.RunAsync(db, async ct =>
            {
                db.VerificationCodes.Add(row);
                try
                {
                    await db.SaveChangesAsync(ct);
                    return (true, true);
                }
                catch (DbUpdateException e) when (DatabaseWrites.IsUniqueViolation(e) && attempt < 5)
                {
                    return (false, false);
                }
            }, cancellationToken);
            if (stored)
            {
                metrics.CodeIssued();
                return (new IssueCodeResponse(row.Id, shortCode, longCode, row.ShortExpiresAt, row.LongExpiresAt), null);
            }
        }
    }

    public async Task<CodeStatusResponse?> StatusAsync(Guid id, Guid apiKeyId, CancellationToken cancellationToken)
    {
        var row = await db.VerificationCodes.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.ApiKeyId == apiKeyId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var status = row.ClaimedAt is not null ? "claimed" : time.GetUtcNow() >= row.LongExpiresAt ? "expired" : "unused";
        return new(row.Id, status, row.ShortExpiresAt, row.LongExpiresAt, row.ClaimedAt);
    }

    /// <summary>
    /// Claims the code and issues its upload token in one transaction. The claim is a conditional update
    /// (<c>… WHERE claimed_at IS NULL</c>): of any number of concurrent claims exactly one changes the row.
    /// </summary>
    public async Task<(VerifyResponse? Response, ApiError? Error)> VerifyAsync(VerifyRequest request, bool chaff, CancellationToken cancellationToken)
    {
        if (VerificationCodeFormat.Normalize(request.Code) is not var (code, isShort))
        {
            return (null, ApiError.BadRequest("code_malformed", "code must be 8 digits or 16 letters and digits."));
        }

        var hash = hasher.Hash(isShort ? SecretPurpose.ShortCode : SecretPurpose.LongCode, code);
        var now = time.GetUtcNow();
        var token = new byte[TokenBytes];
        random.GetBytes(token);
        var tokenText = Base64Url.EncodeToString(token);
        var tokenHash = hasher.Hash(SecretPurpose.UploadToken, tokenText);
        var expiresAt = now + _options.UploadTokenLifetime;
        if (chaff)
        {
            // Same lookup as a real request, then a well-formed answer that no publish will accept.
            _ = await FindAsync(hash, isShort, cancellationToken);
            return (new VerifyResponse(tokenText, "confirmed", null, DateOnly.FromDateTime(now.UtcDateTime), expiresAt), null);
        }

        var result = await writes.RunAsync(db, async ct =>
        {
            var row = await FindAsync(hash, isShort, ct);
            if (row is null)
            {
                return ((null, ApiError.NotFound("code_unknown", "No such code.")), false);
            }

            if (row.ClaimedAt is not null)
            {
                return ((null, ApiError.Conflict("code_claimed", "This code has already been used.")), false);
            }

            if (now >= (isShort ? row.ShortExpiresAt : row.LongExpiresAt))
            {
                return ((null, ApiError.Gone("code_expired", "This code has expired; ask the health authority for a new one.")), false);
            }

            var claimed = await db.VerificationCodes
                .Where(c => c.Id == row.Id && c.ClaimedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.ClaimedAt, now), ct);
            if (claimed != 1)
            {
                return ((null, ApiError.Conflict("code_claimed", "This code has already been used.")), false);
            }

            db.UploadTokens.Add(new UploadToken
            {
                Id = Guid.NewGuid(),
                TokenHash = tokenHash,
                ReportType = row.ReportType,
                TestDate = row.TestDate,
                SymptomOnsetDate = row.SymptomOnsetDate,
                IssuedAt = now,
                ExpiresAt = expiresAt,
            });
            await db.SaveChangesAsync(ct);
            var response = new VerifyResponse(tokenText, ReportTypes.Name(row.ReportType), row.SymptomOnsetDate, row.TestDate, expiresAt);
            return (((VerifyResponse?)response, (ApiError?)null), true);
        }, cancellationToken);
        metrics.CodeVerified(result.Item2?.Error ?? "ok");
        return result;
    }

    private Task<VerificationCode?> FindAsync(byte[] hash, bool isShort, CancellationToken cancellationToken) =>
        isShort
            ? db.VerificationCodes.AsNoTracking().FirstOrDefaultAsync(c => c.ShortCodeHash == hash, cancellationToken)
            : db.VerificationCodes.AsNoTracking().FirstOrDefaultAsync(c => c.LongCodeHash == hash, cancellationToken);
}

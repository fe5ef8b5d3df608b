using Microsoft.Extensions.Options;

namespace Bluezone.Server.Privacy;

/// <summary>Keyed hashing, retention and per-client limits (section <c>Bluezone:Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Bluezone:Privacy";

    /// <summary>
    /// Base64 HMAC key (at least 32 bytes) for codes, tokens and case references. Empty: the key in
    /// <c>DATA/hmac.key</c>, created on first start. Several instances on one database must share it.
    /// </summary>
    public string? HmacKey { get; set; }

    /// <summary>Everything personal-adjacent is deleted after this (DESIGN.md §7: 14 days).</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Code verifications a client may attempt per <see cref="RateLimitWindow"/>. With 100 live 8-digit codes (each
    /// lives one hour), one address at 30 a minute needs about 10^6 guesses, some 23 days, to hit any of them.
    /// </summary>
    public int VerifyPermitLimit { get; set; } = 30;

    /// <summary>Uploads (F0 and F1) a client may make per <see cref="RateLimitWindow"/>.</summary>
    public int PublishPermitLimit { get; set; } = 60;

    /// <summary>Community joins a client may make per <see cref="RateLimitWindow"/>.</summary>
    public int JoinPermitLimit { get; set; } = 10;

    /// <summary>Authority calls (issue code, code status) a client may make per <see cref="RateLimitWindow"/>.</summary>
    public int AuthorityPermitLimit { get; set; } = 600;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.HmacKey))
        {
            var buffer = new byte[options.HmacKey.Length];
            if (!Convert.TryFromBase64String(options.HmacKey, buffer, out var length) || length < 32)
            {
                errors.Add("Bluezone:Privacy:HmacKey must be base64 of at least 32 random bytes.");
            }
        }

        if (options.RetentionPeriod < TimeSpan.FromHours(1) || options.RetentionPeriod > TimeSpan.FromDays(30))
        {
            errors.Add($"Bluezone:Privacy:RetentionPeriod must be between 1 hour and 30 days, not {options.RetentionPeriod}.");
        }

        if (options.RetentionInterval < TimeSpan.FromSeconds(1) || options.RetentionInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"Bluezone:Privacy:RetentionInterval must be between 1 second and 1 day, not {options.RetentionInterval}.");
        }

        foreach (var (setting, value) in new[]
        {
            ("VerifyPermitLimit", options.VerifyPermitLimit), ("PublishPermitLimit", options.PublishPermitLimit),
            ("JoinPermitLimit", options.JoinPermitLimit), ("AuthorityPermitLimit", options.AuthorityPermitLimit),
        })
        {
            if (value is < 1 or > 100_000)
            {
                errors.Add($"Bluezone:Privacy:{setting} must be 1–100000, not {value}.");
            }
        }

        if (options.RateLimitWindow < TimeSpan.FromSeconds(1) || options.RateLimitWindow > TimeSpan.FromDays(1))
        {
            errors.Add($"Bluezone:Privacy:RateLimitWindow must be between 1 second and 1 day, not {options.RateLimitWindow}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

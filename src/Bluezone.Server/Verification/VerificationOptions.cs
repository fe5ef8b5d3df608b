using Microsoft.Extensions.Options;

namespace Bluezone.Server.Verification;

/// <summary>Lifetimes of codes and upload tokens (section <c>Bluezone:Verification</c>), DESIGN.md §7.</summary>
public sealed class VerificationOptions
{
    public const string Section = "Bluezone:Verification";

    public TimeSpan ShortCodeLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan LongCodeLifetime { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan UploadTokenLifetime { get; set; } = TimeSpan.FromHours(24);
}

internal sealed class VerificationOptionsValidator : IValidateOptions<VerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, VerificationOptions options)
    {
        var errors = new List<string>();

        // An 8-digit code can be guessed given enough tries: its life is kept short.
        if (options.ShortCodeLifetime < TimeSpan.FromMinutes(1) || options.ShortCodeLifetime > TimeSpan.FromHours(1))
        {
            errors.Add($"Bluezone:Verification:ShortCodeLifetime must be between 1 minute and 1 hour, not {options.ShortCodeLifetime}.");
        }

        if (options.LongCodeLifetime < options.ShortCodeLifetime || options.LongCodeLifetime > TimeSpan.FromHours(24))
        {
            errors.Add($"Bluezone:Verification:LongCodeLifetime must be between ShortCodeLifetime and 24 hours, not {options.LongCodeLifetime}.");
        }

        if (options.UploadTokenLifetime < TimeSpan.FromMinutes(1) || options.UploadTokenLifetime > TimeSpan.FromHours(24))
        {
            errors.Add($"Bluezone:Verification:UploadTokenLifetime must be between 1 minute and 24 hours, not {options.UploadTokenLifetime}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.Options;

namespace Bluezone.Server.Community;

/// <summary>The community count's join proof (section <c>Bluezone:Community</c>).</summary>
public sealed class CommunityOptions
{
    public const string Section = "Bluezone:Community";

    /// <summary>
    /// Leading zero bits a join proof's SHA-256 must have: 20 bits ≈ a million hashes, about a second of a phone's
    /// time once per install, and a million seconds of CPU for a million fake joins.
    /// </summary>
    public int DifficultyBits { get; set; } = 20;

    /// <summary>A challenge is valid for the window it was issued in and the next.</summary>
    public TimeSpan ChallengeWindow { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class CommunityOptionsValidator : IValidateOptions<CommunityOptions>
{
    public ValidateOptionsResult Validate(string? name, CommunityOptions options)
    {
        var errors = new List<string>();
        if (options.DifficultyBits is < 0 or > 32)
        {
            errors.Add($"Bluezone:Community:DifficultyBits must be 0–32, not {options.DifficultyBits}.");
        }

        if (options.ChallengeWindow < TimeSpan.FromMinutes(1) || options.ChallengeWindow > TimeSpan.FromDays(1))
        {
            errors.Add($"Bluezone:Community:ChallengeWindow must be between 1 minute and 1 day, not {options.ChallengeWindow}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

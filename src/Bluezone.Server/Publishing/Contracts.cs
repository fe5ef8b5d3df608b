using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bluezone.Server.Publishing;

/// <summary>One temporary exposure key as the app uploads it.</summary>
public sealed class UploadedKey
{
    [Description("The 16-byte key, base64."), Required]
    public string? Key { get; init; }

    [Description("First interval of the key (unix seconds / 600); a multiple of 144 (start of a UTC day)."), Required]
    public int RollingStartIntervalNumber { get; init; }

    [Description("Intervals the key was valid for."), Required, Range(1, 144)]
    public int RollingPeriod { get; init; }
}

/// <summary>An upload: an F0's keys and heard tokens (POST /v1/publish) or an F1's keys (POST /v1/publish/recursive).</summary>
public sealed class PublishRequest
{
    [Description("1–30 distinct keys, none in the future or older than 14 days."), Required, MinLength(1), MaxLength(PublishLimits.MaxKeys)]
    public IReadOnlyList<UploadedKey>? Keys { get; init; }

    [Description("F0 only: 16-byte heard tokens, base64; at most 50,000. Ignored on publish/recursive."), MaxLength(PublishLimits.MaxHeardTokens)]
    public IReadOnlyList<string>? HeardTokens { get; init; }

    [Description("Random bytes, base64, ignored: lets every upload have the same size."), StringLength(PublishLimits.MaxPaddingChars)]
    public string? Padding { get; init; }
}

public sealed record PublishResponse(
    [property: Description("Keys accepted for publication (keys outside the infectious window or before the proven contact day are dropped).")] int Inserted);

public static class PublishLimits
{
    public const int MaxKeys = 30;
    public const int MaxHeardTokens = 50_000;
    public const int MaxPaddingChars = 64 * 1024;

    /// <summary>Keys older than this many days are refused (DESIGN.md §7).</summary>
    public const int MaxKeyAgeDays = 14;
}

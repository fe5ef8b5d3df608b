using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Server.Hosting;

namespace Bluezone.Server.Publishing;

/// <summary>An upload that passed validation, in the protocol's own types.</summary>
public sealed record ValidatedUpload(IReadOnlyList<TemporaryExposureKey> Keys, IReadOnlyList<HeardToken> HeardTokens);

/// <summary>
/// The checks of DESIGN.md §7, all before anything is stored. The first failing rule decides the error code, so a
/// client always gets the same code for the same mistake.
/// </summary>
public static class UploadValidation
{
    public static (ValidatedUpload? Upload, ApiError? Error) Validate(PublishRequest request, DateTimeOffset now, bool acceptHeardTokens)
    {
        if (request.Keys is not { Count: > 0 } keys)
        {
            return Fail("no_keys", "keys must hold at least one key.");
        }

        if (keys.Count > PublishLimits.MaxKeys)
        {
            return Fail("too_many_keys", $"At most {PublishLimits.MaxKeys} keys per upload, not {keys.Count}.");
        }

        if (request.HeardTokens is { Count: > PublishLimits.MaxHeardTokens })
        {
            return Fail("too_many_heard_tokens", $"At most {PublishLimits.MaxHeardTokens} heard tokens per upload, not {request.HeardTokens.Count}.");
        }

        if (request.Padding is { Length: > PublishLimits.MaxPaddingChars })
        {
            return Fail("padding_too_long", $"padding may hold at most {PublishLimits.MaxPaddingChars} characters.");
        }

        var current = IntervalNumber.FromTime(now);
        var oldestStart = IntervalNumber.FirstOfDay(current.Day.AddDays(-PublishLimits.MaxKeyAgeDays));
        var result = new List<TemporaryExposureKey>(keys.Count);
        var seen = new HashSet<(long, long)>();
        Span<byte> keyBytes = stackalloc byte[TemporaryExposureKey.Length + 2];
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key is null)
            {
                return Fail("malformed_request", $"keys[{i}] is null.");
            }

            if (key.Key is null || !Convert.TryFromBase64String(key.Key, keyBytes, out var length))
            {
                return Fail("invalid_base64", $"keys[{i}].key is not base64.");
            }

            if (length != TemporaryExposureKey.Length)
            {
                return Fail("invalid_key_length", $"keys[{i}].key must be {TemporaryExposureKey.Length} bytes, not {length}.");
            }

            if (key.RollingPeriod is < 1 or > IntervalNumber.PerDay)
            {
                return Fail("invalid_rolling_period", $"keys[{i}].rollingPeriod must be 1–{IntervalNumber.PerDay}, not {key.RollingPeriod}.");
            }

            var start = new IntervalNumber(key.RollingStartIntervalNumber);
            if (!start.IsDayStart || key.RollingStartIntervalNumber < 0)
            {
                return Fail("misaligned_rolling_start", $"keys[{i}].rollingStartIntervalNumber must be the first interval of a UTC day (a multiple of {IntervalNumber.PerDay}).");
            }

            if (start > current)
            {
                return Fail("key_in_future", $"keys[{i}] starts in the future.");
            }

            if (start < oldestStart)
            {
                return Fail("key_too_old", $"keys[{i}] is older than {PublishLimits.MaxKeyAgeDays} days.");
            }

            var data = keyBytes[..TemporaryExposureKey.Length];
            if (!seen.Add((BitConverter.ToInt64(data), BitConverter.ToInt64(data[8..]))))
            {
                return Fail("duplicate_keys", $"keys[{i}] repeats an earlier key.");
            }

            result.Add(new TemporaryExposureKey(data, start, key.RollingPeriod));
        }

        var tokens = new List<HeardToken>();
        if (acceptHeardTokens && request.HeardTokens is { } heard)
        {
            tokens.Capacity = heard.Count;
            Span<byte> tokenBytes = stackalloc byte[HeardToken.Length + 2];
            for (var i = 0; i < heard.Count; i++)
            {
                if (heard[i] is null || !Convert.TryFromBase64String(heard[i], tokenBytes, out var length))
                {
                    return Fail("invalid_base64", $"heardTokens[{i}] is not base64.");
                }

                if (length != HeardToken.Length)
                {
                    return Fail("invalid_heard_token_length", $"heardTokens[{i}] must be {HeardToken.Length} bytes, not {length}.");
                }

                tokens.Add(HeardToken.FromBytes(tokenBytes[..HeardToken.Length]));
            }
        }

        if (request.Padding is { Length: > 0 } padding && !IsBase64(padding))
        {
            return Fail("invalid_base64", "padding is not base64.");
        }

        return (new ValidatedUpload(result, tokens), null);
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static (ValidatedUpload?, ApiError?) Fail(string error, string message) => (null, ApiError.BadRequest(error, message));
}

using System.Security.Cryptography;

namespace Bluezone.Server.Verification;

/// <summary>
/// The two forms of a one-time code (DESIGN.md §7): 8 digits, easy to read out over the phone, and
/// 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 79 bits, for links.
/// </summary>
public static class VerificationCodeFormat
{
    public const int ShortLength = 8;
    public const int LongLength = 16;
    public const string LongAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string NewShortCode(RandomNumberGenerator random) => Draw(random, "0123456789", ShortLength);

    public static string NewLongCode(RandomNumberGenerator random) => Draw(random, LongAlphabet, LongLength);

    /// <summary>What a person typed, without spaces and dashes, in upper case; null when it is neither form.</summary>
    public static (string Code, bool IsShort)? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 64)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[typed.Length];
        var n = 0;
        foreach (var c in typed)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            buffer[n++] = char.ToUpperInvariant(c);
        }

        var code = buffer[..n];
        if (code.Length == ShortLength && !code.ContainsAnyExceptInRange('0', '9'))
        {
            return (code.ToString(), true);
        }

        if (code.Length == LongLength && !code.ContainsAnyExcept(LongAlphabet))
        {
            return (code.ToString(), false);
        }

        return null;
    }

    private static string Draw(RandomNumberGenerator random, string alphabet, int length)
    {
        // Rejection sampling keeps every character uniform (a plain modulo would favour the first few).
        var limit = (byte)(256 - (256 % alphabet.Length));
        Span<char> chars = stackalloc char[length];
        Span<byte> one = stackalloc byte[1];
        for (var i = 0; i < length;)
        {
            random.GetBytes(one);
            if (one[0] < limit)
            {
                chars[i++] = alphabet[one[0] % alphabet.Length];
            }
        }

        return chars.ToString();
    }
}

using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol;

/// <summary>Hexadecimal text for keys and identifiers: lower case out, either case in, strict length.</summary>
public static class Hex
{
    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses <paramref name="text"/>; <paramref name="what"/> names the value in the error message.</summary>
    /// <param name="expectedLength">Required number of bytes, or -1 for any.</param>
    public static byte[] Parse(string? text, string what, int expectedLength = -1)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return ThrowHelper.ThrowFormat<byte[]>($"{what}: expected hexadecimal text, got nothing");
        }

        if (text.Length % 2 != 0)
        {
            return ThrowHelper.ThrowFormat<byte[]>($"{what}: hexadecimal text must have an even number of digits, got {text.Length}");
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return ThrowHelper.ThrowFormat<byte[]>($"{what}: '{(char.IsControl(c) ? '?' : c)}' is not a hexadecimal digit");
            }
        }

        if (expectedLength >= 0 && text.Length != expectedLength * 2)
        {
            return ThrowHelper.ThrowFormat<byte[]>($"{what}: expected {expectedLength} bytes ({expectedLength * 2} hex digits), got {text.Length / 2}");
        }

        return Convert.FromHexString(text);
    }
}

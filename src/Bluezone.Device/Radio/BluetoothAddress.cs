using System.Globalization;
using System.Security.Cryptography;

namespace Bluezone.Device.Radio;

/// <summary>
/// A 48-bit Bluetooth device address, held in the low bits of a <see cref="ulong"/> so that comparing and
/// hashing one costs an integer operation (a phone hears thousands per hour).
/// </summary>
public readonly record struct BluetoothAddress(ulong Value)
{
    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    /// <summary>
    /// A fresh non-resolvable private address (Core Specification Vol 6 Part B §1.3.2.2: the two most
    /// significant bits are 0). It is random, so nothing links it to the previous one: that is what makes
    /// rotating the address together with the RPI worth doing.
    /// </summary>
    public static BluetoothAddress NewNonResolvablePrivate(RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[8];
        while (true)
        {
            random.GetBytes(bytes);
            var value = BitConverter.ToUInt64(bytes) & 0x3FFF_FFFF_FFFFUL;

            // All-zero and all-one random parts are forbidden by the specification.
            if (value != 0 && value != 0x3FFF_FFFF_FFFFUL)
            {
                return new BluetoothAddress(value);
            }
        }
    }

    /// <summary>Parses <c>AA:BB:CC:DD:EE:FF</c> (or with dashes, or 12 bare hex digits), most significant byte first.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out BluetoothAddress address)
    {
        address = default;
        text = text.Trim();
        Span<char> digits = stackalloc char[12];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ':' or '-')
            {
                // Separators only between byte pairs.
                if (n == 0 || n % 2 != 0 || (i + 1 < text.Length && text[i + 1] is ':' or '-'))
                {
                    return false;
                }

                continue;
            }

            if (!char.IsAsciiHexDigit(c) || n == 12)
            {
                return false;
            }

            digits[n++] = c;
        }

        if (n != 12 || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        address = new BluetoothAddress(value & Mask);
        return true;
    }

    public override string ToString()
    {
        Span<char> text = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            var b = (byte)(Value >> (8 * (5 - i)));
            b.TryFormat(text.Slice(i * 3, 2), out _, "X2", CultureInfo.InvariantCulture);
            if (i < 5)
            {
                text[(i * 3) + 2] = ':';
            }
        }

        return new string(text);
    }
}

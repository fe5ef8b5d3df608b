using System.Diagnostics.CodeAnalysis;

namespace Bluezone.Protocol.Internal;

/// <summary>Throws kept out of hot paths so the callers stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowFormat(string message) => throw new ProtocolFormatException(message);

    [DoesNotReturn]
    public static T ThrowFormat<T>(string message) => throw new ProtocolFormatException(message);

    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void ThrowPlatformNotSupported(string message) => throw new PlatformNotSupportedException(message);
}

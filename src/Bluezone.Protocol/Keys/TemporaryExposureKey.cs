using System.Security.Cryptography;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Time;

namespace Bluezone.Protocol.Keys;

/// <summary>
/// A phone's random key for one UTC day (DESIGN.md §3). Everything the phone broadcasts that day is
/// derived from it, and it is the only thing an F0 or F1 ever publishes.
/// </summary>
public sealed class TemporaryExposureKey : IEquatable<TemporaryExposureKey>
{
    /// <summary>Length of the key in bytes.</summary>
    public const int Length = 16;

    private readonly byte[] _keyData;

    /// <param name="keyData">16 bytes; copied.</param>
    /// <param name="rollingStartIntervalNumber">First interval the key is valid for.</param>
    /// <param name="rollingPeriod">Number of intervals it is valid for, 1–144.</param>
    public TemporaryExposureKey(ReadOnlySpan<byte> keyData, IntervalNumber rollingStartIntervalNumber, int rollingPeriod = IntervalNumber.PerDay)
    {
        if (keyData.Length != Length)
        {
            ThrowHelper.ThrowArgument(nameof(keyData), $"A temporary exposure key has {Length} bytes, not {keyData.Length}.");
        }

        if (rollingPeriod is < 1 or > IntervalNumber.PerDay)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(rollingPeriod), $"The rolling period must be 1–{IntervalNumber.PerDay}, not {rollingPeriod}.");
        }

        _keyData = keyData.ToArray();
        RollingStartIntervalNumber = rollingStartIntervalNumber;
        RollingPeriod = rollingPeriod;
    }

    public ReadOnlySpan<byte> KeyData => _keyData;

    public IntervalNumber RollingStartIntervalNumber { get; }

    public int RollingPeriod { get; }

    /// <summary>The first interval after the key's validity.</summary>
    public IntervalNumber ExpiryIntervalNumber => RollingStartIntervalNumber + RollingPeriod;

    public DateOnly Day => RollingStartIntervalNumber.Day;

    /// <summary>
    /// A fresh key for the UTC day containing <paramref name="interval"/>, from a cryptographic random source.
    /// The source is a parameter so simulations and tests can run deterministically.
    /// </summary>
    public static TemporaryExposureKey Generate(IntervalNumber interval, RandomNumberGenerator? random = null)
    {
        Span<byte> key = stackalloc byte[Length];
        if (random is null)
        {
            RandomNumberGenerator.Fill(key);
        }
        else
        {
            random.GetBytes(key);
        }

        var result = new TemporaryExposureKey(key, interval.DayStart);
        CryptographicOperations.ZeroMemory(key);
        return result;
    }

    /// <summary>The same key with a shorter validity (a key revealed on its own day).</summary>
    public TemporaryExposureKey WithRollingPeriod(int rollingPeriod) => new(_keyData, RollingStartIntervalNumber, rollingPeriod);

    /// <summary>Whether <paramref name="interval"/> lies within the key's validity.</summary>
    public bool Covers(IntervalNumber interval) => interval >= RollingStartIntervalNumber && interval < ExpiryIntervalNumber;

    public bool Equals(TemporaryExposureKey? other) =>
        other is not null
        && RollingStartIntervalNumber == other.RollingStartIntervalNumber
        && RollingPeriod == other.RollingPeriod
        && CryptographicOperations.FixedTimeEquals(_keyData, other._keyData);

    public override bool Equals(object? obj) => Equals(obj as TemporaryExposureKey);

    public override int GetHashCode() => HashCode.Combine(BitConverter.ToInt64(_keyData), RollingStartIntervalNumber, RollingPeriod);

    /// <summary>Does not print the key: keys end up in logs too easily.</summary>
    public override string ToString() => $"TEK(start {RollingStartIntervalNumber}, period {RollingPeriod})";
}

using System.Globalization;

namespace Bluezone.Protocol.Time;

/// <summary>
/// An Exposure Notification interval number: <c>floor(unix_seconds / 600)</c>. Identifiers rotate at
/// every interval; a UTC day holds exactly <see cref="PerDay"/> of them.
/// </summary>
public readonly record struct IntervalNumber(int Value) : IComparable<IntervalNumber>
{
    /// <summary>Length of one interval.</summary>
    public const int Seconds = 600;

    /// <summary>Intervals per UTC day; also the rolling period of a full-day key.</summary>
    public const int PerDay = 144;

    public static IntervalNumber FromUnixSeconds(long unixSeconds) =>
        new(checked((int)FloorDiv(unixSeconds, Seconds)));

    public static IntervalNumber FromTime(DateTimeOffset time) => FromUnixSeconds(time.ToUnixTimeSeconds());

    /// <summary>The first interval of the UTC day that contains this one.</summary>
    public IntervalNumber DayStart => new((int)FloorDiv(Value, PerDay) * PerDay);

    /// <summary>The UTC day that contains this interval.</summary>
    public DateOnly Day => DateOnly.FromDateTime(StartTime.UtcDateTime);

    /// <summary>Whether this interval is the first of its UTC day (a key's rolling start must be).</summary>
    public bool IsDayStart => Value % PerDay == 0;

    public DateTimeOffset StartTime => DateTimeOffset.FromUnixTimeSeconds((long)Value * Seconds);

    public DateTimeOffset EndTime => StartTime.AddSeconds(Seconds);

    public static IntervalNumber FirstOfDay(DateOnly day) =>
        FromTime(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    public static IntervalNumber operator +(IntervalNumber interval, int count) => new(interval.Value + count);

    public static IntervalNumber operator -(IntervalNumber interval, int count) => new(interval.Value - count);

    public static int operator -(IntervalNumber a, IntervalNumber b) => a.Value - b.Value;

    public static bool operator <(IntervalNumber a, IntervalNumber b) => a.Value < b.Value;

    public static bool operator >(IntervalNumber a, IntervalNumber b) => a.Value > b.Value;

    public static bool operator <=(IntervalNumber a, IntervalNumber b) => a.Value <= b.Value;

    public static bool operator >=(IntervalNumber a, IntervalNumber b) => a.Value >= b.Value;

    public int CompareTo(IntervalNumber other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    // Integer floor division: times before 1970 still fall into the interval that contains them.
    private static long FloorDiv(long value, long divisor)
    {
        var quotient = Math.DivRem(value, divisor, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }
}

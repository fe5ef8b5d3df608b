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
        new(checked((int)Math.Floor(unixSeconds / (double)Seconds)));

    public static IntervalNumber FromTime(DateTimeOffset time) => FromUnixSeconds(time.ToUnixTimeSeconds());

    /// <summary>The first interval of the UTC day that contains this one.</summary>
    public IntervalNumber DayStart => new(Value - (int)((uint)Value % PerDay));

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
}

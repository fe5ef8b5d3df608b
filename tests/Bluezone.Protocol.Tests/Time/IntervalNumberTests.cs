using Bluezone.Protocol.Time;

namespace Bluezone.Protocol.Tests.Time;

public sealed class IntervalNumberTests
{
    [Theory]
    [InlineData(0L, 0)]
    [InlineData(599L, 0)]
    [InlineData(600L, 1)]
    [InlineData(1585785600L, 2642976)]
    [InlineData(-1L, -1)]
    [InlineData(-600L, -1)]
    [InlineData(-601L, -2)]
    public void Interval_is_floor_of_seconds_over_600(long seconds, int expected) =>
        Assert.Equal(expected, IntervalNumber.FromUnixSeconds(seconds).Value);

    [Fact]
    public void A_utc_day_has_144_intervals_starting_at_midnight()
    {
        var day = new DateOnly(2020, 4, 2);
        var first = IntervalNumber.FirstOfDay(day);
        Assert.Equal(2642976, first.Value);
        Assert.True(first.IsDayStart);
        Assert.Equal(day, (first + 143).Day);
        Assert.Equal(day.AddDays(1), (first + 144).Day);
        Assert.Equal(first, (first + 143).DayStart);
        Assert.Equal(new DateTimeOffset(2020, 4, 2, 0, 0, 0, TimeSpan.Zero), first.StartTime);
        Assert.Equal(-144, new IntervalNumber(-1).DayStart.Value);
    }
}

using Bluezone.Device.Storage;

namespace Bluezone.Device.Tests.Storage;

public sealed class CodedSendersTests
{
    [Fact]
    public void A_sender_is_found_only_on_the_day_its_key_was_published_whatever_its_number()
    {
        int[] numbers = [0, 1, 63, 64, 65, 127, 4_095, 99_999];
        var published = new CodedSenders(numbers.Select(n => (20_000, n)).Append((20_001, 64)).Append((20_000, 64)));
        var random = new Random(7);
        var others = Enumerable.Range(0, 2_000).Select(_ => random.Next(200_000)).Where(n => !numbers.Contains(n)).ToArray();

        Assert.All(numbers, n => Assert.True(published.Contains(20_000, n)));
        Assert.All(others, n => Assert.False(published.Contains(20_000, n)));
        Assert.True(published.Contains(20_001, 64));
        Assert.False(published.Contains(20_001, 63));
        Assert.False(published.Contains(19_999, 0));
        Assert.False(published.IsEmpty);
    }

    [Fact]
    public void Any_of_a_days_senders_passes_over_negative_numbers_and_finds_one_published_sender()
    {
        var published = new CodedSenders([(20_000, 5), (20_000, 700)]);

        Assert.False(published.AnyOf(20_000, [-1, -6, 4, 6, 699, 701, 100_000]));
        Assert.True(published.AnyOf(20_000, [-1, 3, 700]));
        Assert.False(published.AnyOf(20_001, [5, 700]));
        Assert.False(published.AnyOf(20_000, []));
        Assert.True(new CodedSenders([]).IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodedSenders([(20_000, -1)]));
    }
}

using Bluezone.Simulation.Measures;

namespace Bluezone.Simulation.Tests;

public sealed class GroundTruthTests
{
    [Fact]
    public void A_day_keeps_each_pair_in_range_for_both_people_and_marks_15_minutes_within_2_m_as_close()
    {
        var truth = new GroundTruth(people: 6, days: 2);

        // Day 0: 4 and 1 spend three steps at 1.5 m (15 min, close); 1 and 5 four steps at 3 m (in range only);
        // 2 and 3 two steps at 1 m (10 min, not close).
        for (var step = 0; step < 3; step++)
        {
            truth.Met(4, 1, 1.5, 5);
        }

        for (var step = 0; step < 4; step++)
        {
            truth.Met(5, 1, 3, 5);
        }

        truth.Met(2, 3, 1, 5);
        truth.Met(3, 2, 1, 5);
        var close0 = truth.EndDay(0);

        // Day 1: only 0 and 5, close; day 0's pairs do not carry over.
        for (var step = 0; step < 3; step++)
        {
            truth.Met(0, 5, 0.5, 5);
        }

        var close1 = truth.EndDay(1);

        Assert.Equal([0, 1, 0, 0, 1, 0], close0);
        Assert.Equal([1, 0, 0, 0, 0, 1], close1);
        Assert.Equal([(4, true), (5, false)], truth.ContactsOf(0, 1));
        Assert.Equal([(1, true)], truth.ContactsOf(0, 4));
        Assert.Equal([(1, false)], truth.ContactsOf(0, 5));
        Assert.Equal([(3, false)], truth.ContactsOf(0, 2));
        Assert.Empty(truth.ContactsOf(0, 0));
        Assert.Equal([(5, true)], truth.ContactsOf(1, 0));
        Assert.Equal([(0, true)], truth.ContactsOf(1, 5));
        Assert.Empty(truth.ContactsOf(1, 1));
    }

    [Fact]
    public void A_day_not_closed_yet_has_no_contacts()
    {
        var truth = new GroundTruth(people: 3, days: 2);
        truth.Met(0, 1, 1, 5);

        Assert.Empty(truth.ContactsOf(0, 0));
        Assert.Empty(truth.ContactsOf(1, 0));
    }
}

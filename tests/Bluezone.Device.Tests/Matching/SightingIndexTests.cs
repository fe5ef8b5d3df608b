using Bluezone.Device.Matching;
using Bluezone.Protocol.Keys;
using CsCheck;

namespace Bluezone.Device.Tests.Matching;

public sealed class SightingIndexTests
{
    private static readonly Gen<RollingProximityIdentifier> Rpi = Gen.Select(Gen.ULong, Gen.ULong, (h, l) => new RollingProximityIdentifier(h, l));

    [Fact]
    public void Every_filter_test_finds_exactly_the_indexed_identifiers_with_their_positions()
    {
        // Heard identifiers repeat (one RPI heard in several scans), and candidates come shuffled so that every
        // lane of the eight-wide filter test and the scalar tail see hits.
        Gen.Select(Rpi.Array[0, 3000], Rpi.Array[0, 3000], Gen.Int).Sample((distinct, others, seed) =>
        {
            var random = new Random(seed);
            var heard = distinct.Concat(distinct.Where(_ => random.Next(4) == 0)).OrderBy(_ => random.Next()).ToArray();
            var candidates = others.Concat(distinct).OrderBy(_ => random.Next()).ToArray();
            var index = SightingIndex.Build(heard);
            var positions = heard.Select((h, p) => (h, p)).ToLookup(x => x.h, x => x.p);
            var expected = candidates.SelectMany((rpi, c) => positions[rpi].Select(p => new SightingMatch(c, p))).OrderBy(m => m.CandidateIndex).ThenBy(m => m.Position).ToList();
            foreach (var test in Enum.GetValues<FilterTest>())
            {
                var matches = new List<SightingMatch>();
                Assert.Equal(expected.Count, index.FindAll(candidates, matches, test));
                Assert.Equal(expected, matches.OrderBy(m => m.CandidateIndex).ThenBy(m => m.Position));
            }
        }, iter: 200);
    }

    [Fact]
    public void Identifiers_sharing_a_prefix_are_told_apart()
    {
        var a = new RollingProximityIdentifier(0xABCD_0000_0000_0001, 7);
        var b = new RollingProximityIdentifier(0xABCD_0000_0000_0001, 8);
        var c = new RollingProximityIdentifier(0xABCD_FFFF_0000_0000, 7);
        var index = SightingIndex.Build([c, a]);
        Assert.True(index.TryFind(a, out var position));
        Assert.Equal(1, position);
        Assert.False(index.TryFind(b, out _));
        Assert.True(index.TryFind(c, out position));
        Assert.Equal(0, position);
    }

    [Fact]
    public void An_empty_index_finds_nothing()
    {
        var index = SightingIndex.Build([]);
        Assert.False(index.TryFind(new RollingProximityIdentifier(1, 2), out _));
        Assert.Equal(0, index.FindAll([new RollingProximityIdentifier(1, 2)], []));
    }
}

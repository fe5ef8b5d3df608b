using BenchmarkDotNet.Attributes;
using Bluezone.Device.Matching;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Benchmarks.Matching;

/// <summary>
/// The look-up half of matching: the 144 identifiers of each of 64 published keys (one matcher chunk) asked of a
/// phone's index of S heard identifiers, none of which match (the common case). Times are per key.
/// </summary>
[MemoryDiagnoser]
public class SightingIndexBenchmarks
{
    private const int Keys = 64;
    private readonly RollingProximityIdentifier[] _candidates = new RollingProximityIdentifier[Keys * IntervalNumber.PerDay];
    private readonly List<SightingMatch> _matches = [];
    private SightingIndex _index = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Sightings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        var heard = new RollingProximityIdentifier[Sightings];
        for (var i = 0; i < heard.Length; i++)
        {
            heard[i] = new RollingProximityIdentifier((ulong)random.NextInt64() << 1, (ulong)random.NextInt64());
        }

        _index = SightingIndex.Build(heard);
        for (var i = 0; i < _candidates.Length; i++)
        {
            _candidates[i] = new RollingProximityIdentifier((ulong)random.NextInt64() << 1, (ulong)random.NextInt64());
        }
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int FindAll()
    {
        _matches.Clear();
        return _index.FindAll(_candidates, _matches);
    }
}

using Bluezone.Device.Sightings;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Matching;

/// <summary>
/// A phone's scan instances arranged for matching: grouped by RPI, each group in time order, with a
/// <see cref="SightingIndex"/> over the distinct RPIs. Built once per sync (or per simulated day) and then
/// asked about every published key.
/// </summary>
public sealed class SightingLog
{
    private readonly ScanInstance[] _instances;
    private readonly int[] _groupStart; // group g = _instances[_groupStart[g] .. _groupStart[g + 1])

    private SightingLog(ScanInstance[] instances, int[] groupStart, SightingIndex index)
    {
        _instances = instances;
        _groupStart = groupStart;
        Index = index;
    }

    public SightingIndex Index { get; }

    /// <summary>Number of scan instances.</summary>
    public int Count => _instances.Length;

    /// <summary>Number of distinct RPIs heard.</summary>
    public int DistinctIdentifiers => _groupStart.Length - 1;

    public static SightingLog Build(IEnumerable<ScanInstance> instances)
    {
        var sorted = instances.ToArray();
        Array.Sort(sorted, static (a, b) =>
        {
            var byRpi = a.Rpi.CompareTo(b.Rpi);
            return byRpi != 0 ? byRpi : a.ScanStartUnixMs.CompareTo(b.ScanStartUnixMs);
        });

        var starts = new List<int>();
        var distinct = new List<RollingProximityIdentifier>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i].Rpi != sorted[i - 1].Rpi)
            {
                starts.Add(i);
                distinct.Add(sorted[i].Rpi);
            }
        }

        starts.Add(sorted.Length);
        return new SightingLog(sorted, [.. starts], SightingIndex.Build(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(distinct)));
    }

    /// <summary>The scan instances of the <paramref name="group"/>-th distinct RPI, oldest first.</summary>
    public ReadOnlySpan<ScanInstance> Group(int group) => _instances.AsSpan(_groupStart[group], _groupStart[group + 1] - _groupStart[group]);
}

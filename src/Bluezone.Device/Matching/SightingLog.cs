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
        Array.Sort(sorted, default(ByRpiThenTime));
        return Group(sorted);
    }

    /// <summary>
    /// For instances already ordered by RPI and, within an RPI, by scan start (as
    /// <see cref="Storage.InMemoryDeviceStore.LoadScanInstancesByIdentifier()"/> gives them): no sort, one pass
    /// to check the order. The array is kept, not copied.
    /// </summary>
    /// <exception cref="ArgumentException">The instances are not in that order.</exception>
    public static SightingLog BuildFromSorted(ScanInstance[] sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var order = default(ByRpiThenTime);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (order.Compare(sorted[i - 1], sorted[i]) > 0)
            {
                throw new ArgumentException($"Scan instance {i} is out of (RPI, scan start) order.", nameof(sorted));
            }
        }

        return Group(sorted);
    }

    private static SightingLog Group(ScanInstance[] sorted)
    {
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

    /// <summary>A struct comparer, so the sort calls it directly instead of through a delegate.</summary>
    private readonly struct ByRpiThenTime : IComparer<ScanInstance>
    {
        public int Compare(ScanInstance a, ScanInstance b)
        {
            var byRpi = a.Rpi.CompareTo(b.Rpi);
            return byRpi != 0 ? byRpi : a.ScanStartUnixMs.CompareTo(b.ScanStartUnixMs);
        }
    }

    /// <summary>
    /// The other way round from <see cref="SightingIndex.FindAll(ReadOnlySpan{RollingProximityIdentifier}, List{SightingMatch})"/>
    /// on <see cref="Index"/>: looks every distinct RPI of this log up in <paramref name="candidates"/> (an index
    /// over the candidate identifiers) and fills <paramref name="matches"/> with the same (candidate index, group)
    /// pairs, in candidate order.
    /// </summary>
    public void FindIn(SightingIndex candidates, List<SightingMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(matches);
        matches.Clear();
        for (var group = 0; group < DistinctIdentifiers; group++)
        {
            candidates.FindEach(_instances[_groupStart[group]].Rpi, group, matches);
        }

        // Each candidate is one identifier, so it matches at most one group: the order by candidate is total.
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(matches).Sort(static (a, b) => a.CandidateIndex.CompareTo(b.CandidateIndex));
    }

    /// <summary>The scan instances of the <paramref name="group"/>-th distinct RPI, oldest first.</summary>
    public ReadOnlySpan<ScanInstance> Group(int group) => _instances.AsSpan(_groupStart[group], _groupStart[group + 1] - _groupStart[group]);
}

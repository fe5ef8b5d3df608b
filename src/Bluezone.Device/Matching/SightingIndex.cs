using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Matching;

/// <summary>
/// An index over the distinct RPIs of a phone's sighting log that answers "was this identifier heard?" for
/// hundreds of millions of derived identifiers per second. Matching a day's export asks it 144 questions
/// per published key, and almost every answer is "no", so the index is built around a cheap "no":
/// <list type="bullet">
/// <item>a register-blocked Bloom filter — one 32-bit word per identifier, three bits in it, at least 24 bits
/// per heard RPI — rejects ~99.7 % of absent identifiers. RPIs are AES outputs, so their bits are already
/// uniform and serve as the hash directly: the word is picked by low bits of the first half, the three bit
/// positions are three 5-bit fields of the second half. 32-bit words let one AVX2 gather fetch the words of
/// eight candidates at once; with 64-bit words (four per gather) and a multiply to scale the word index, the
/// same test cost about twice as much per question on the development machine;</item>
/// <item>the few that pass go to the exact structure: identifiers sorted by value with an index on
/// their first two bytes (the layout Google's matcher uses; fewer bits for small indexes), so a hit costs one short scan.</item>
/// </list>
/// A plain hash set or the sorted array alone would take a cache miss for nearly every question.
/// </summary>
public sealed class SightingIndex
{
    /// <summary>
    /// Prefix bits of the exact structure at most. Smaller indexes use fewer (about one identifier per prefix):
    /// a simulated phone's match indexes a few dozen identifiers, and a 65,536-entry table per match was a
    /// quarter of a megabyte of garbage to fill and throw away.
    /// </summary>
    private const int MaxPrefixBits = 16;

    /// <summary>Filter size per identifier, before rounding the word count up to a power of two.</summary>
    private const int MinBitsPerEntry = 24;

    private readonly uint[] _filter;
    private readonly uint _wordMask;
    private readonly ulong[] _high;
    private readonly ulong[] _low;
    private readonly int[] _positions;
    private readonly int[] _prefixStart;
    private readonly int _prefixShift;

    private SightingIndex(uint[] filter, ulong[] high, ulong[] low, int[] positions, int[] prefixStart, int prefixShift)
    {
        _prefixShift = prefixShift;
        _filter = filter;
        _wordMask = (uint)(filter.Length - 1);
        _high = high;
        _low = low;
        _positions = positions;
        _prefixStart = prefixStart;
    }

    /// <summary>Number of identifiers indexed (duplicates included).</summary>
    public int Count => _high.Length;

    /// <summary>Bytes held by the index, for memory budgets.</summary>
    public long SizeInBytes => (_high.Length + _low.Length) * 8L + (_filter.Length + _positions.Length + _prefixStart.Length) * 4L;

    /// <summary>
    /// Indexes <paramref name="identifiers"/>; a match reports the position of the identifier in this span, so
    /// callers keep their sighting records in their own arrays. An identifier present more than once is
    /// reported once per position.
    /// </summary>
    public static SightingIndex Build(ReadOnlySpan<RollingProximityIdentifier> identifiers)
    {
        var n = identifiers.Length;
        var keys = new RollingProximityIdentifier[n];
        var positions = new int[n];
        identifiers.CopyTo(keys);
        for (var i = 0; i < n; i++)
        {
            positions[i] = i;
        }

        // SightingLog passes its distinct RPIs already in order: one pass to see that instead of sorting again.
        if (!IsSorted(keys))
        {
            Array.Sort(keys, positions);
        }

        var high = new ulong[n];
        var low = new ulong[n];
        var prefixBits = Math.Clamp(BitOperations.Log2((uint)Math.Max(n, 1)) + 1, 1, MaxPrefixBits);
        var prefixShift = 64 - prefixBits;
        var prefixStart = new int[(1 << prefixBits) + 1];
        for (var i = 0; i < n; i++)
        {
            high[i] = keys[i].High;
            low[i] = keys[i].Low;
            prefixStart[(int)(keys[i].High >> prefixShift) + 1]++;
        }

        for (var p = 1; p < prefixStart.Length; p++)
        {
            prefixStart[p] += prefixStart[p - 1];
        }

        var words = BitOperations.RoundUpToPowerOf2((ulong)Math.Max(8, ((long)n * MinBitsPerEntry + 31) / 32));
        var filter = new uint[checked((int)words)];
        var wordMask = (uint)(words - 1);
        for (var i = 0; i < n; i++)
        {
            filter[(uint)high[i] & wordMask] |= Mask((uint)low[i]);
        }

        return new SightingIndex(filter, high, low, positions, prefixStart, prefixShift);
    }

    private static bool IsSorted(RollingProximityIdentifier[] identifiers)
    {
        for (var i = 1; i < identifiers.Length; i++)
        {
            if (identifiers[i - 1].CompareTo(identifiers[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="identifier"/> was heard; the first position holding it.</summary>
    public bool TryFind(RollingProximityIdentifier identifier, out int position)
    {
        position = -1;
        if (!MayContain(identifier.High, identifier.Low))
        {
            return false;
        }

        var i = Locate(identifier.High, identifier.Low);
        if (i < 0)
        {
            return false;
        }

        position = _positions[i];
        return true;
    }

    /// <summary>
    /// Appends (position, <paramref name="group"/>) for every position holding <paramref name="identifier"/>:
    /// the look-up of <see cref="SightingLog.FindIn"/>, where this index holds the candidates and a log's RPI is
    /// the question. Returns the number appended.
    /// </summary>
    public int FindEach(RollingProximityIdentifier identifier, int group, List<SightingMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        if (!MayContain(identifier.High, identifier.Low))
        {
            return 0;
        }

        var (first, count) = EqualRange(identifier.High, identifier.Low);
        for (var i = first; i < first + count; i++)
        {
            matches.Add(new SightingMatch(_positions[i], group));
        }

        return count;
    }

    /// <summary>
    /// Looks up every candidate; for each one heard, appends (candidate index, position) to
    /// <paramref name="matches"/>. Returns the number appended.
    /// </summary>
    public int FindAll(ReadOnlySpan<RollingProximityIdentifier> candidates, List<SightingMatch> matches) =>
        FindAll(candidates, matches, Avx2.IsSupported ? FilterTest.Avx2 : FilterTest.Scalar);

    /// <summary><see cref="FindAll(ReadOnlySpan{RollingProximityIdentifier}, List{SightingMatch})"/> with a chosen filter test (tests hold every path to the same answers).</summary>
    internal int FindAll(ReadOnlySpan<RollingProximityIdentifier> candidates, List<SightingMatch> matches, FilterTest test)
    {
        var found = 0;
        var c = 0;
        if (test == FilterTest.Avx2 && Avx2.IsSupported)
        {
            c = FindAllAvx2(candidates, matches, ref found);
        }

        for (; c < candidates.Length; c++)
        {
            var high = candidates[c].High;
            var low = candidates[c].Low;
            if (MayContain(high, low))
            {
                found += Report(c, high, low, matches);
            }
        }

        return found;
    }

    /// <summary>
    /// The filter test for eight candidates at a time: one gather fetches their eight filter words, so the
    /// candidates that were never heard cost a few instructions each. Returns how many candidates it covered;
    /// the scalar loop does the rest.
    /// </summary>
    private unsafe int FindAllAvx2(ReadOnlySpan<RollingProximityIdentifier> candidates, List<SightingMatch> matches, ref int found)
    {
        var c = 0;
        fixed (uint* filter = _filter)
        fixed (RollingProximityIdentifier* candidate = candidates)
        {
            var wordMask = Vector256.Create(_wordMask);
            var field = Vector256.Create(31u);
            var one = Vector256<uint>.One;
            for (; c + 8 <= candidates.Length; c += 8)
            {
                // Each RPI is four dwords (High low, High high, Low low, Low high). Two rounds of unpacking
                // gather dword 0 (the word index) and dword 2 (the bit fields) of eight candidates, in the lane
                // order 0, 2, 4, 6, 1, 3, 5, 7.
                var a = Avx.LoadVector256((uint*)(candidate + c));
                var b = Avx.LoadVector256((uint*)(candidate + c + 2));
                var d = Avx.LoadVector256((uint*)(candidate + c + 4));
                var e = Avx.LoadVector256((uint*)(candidate + c + 6));
                var first = Avx2.UnpackLow(a, b).AsUInt64();
                var second = Avx2.UnpackLow(d, e).AsUInt64();
                var thirdA = Avx2.UnpackHigh(a, b).AsUInt64();
                var thirdB = Avx2.UnpackHigh(d, e).AsUInt64();
                var index = Avx2.UnpackLow(first, second).AsUInt32() & wordMask;
                var bits = Avx2.UnpackLow(thirdA, thirdB).AsUInt32();
                var words = Avx2.GatherVector256(filter, index.AsInt32(), 4);
                var mask = Avx2.ShiftLeftLogicalVariable(one, bits & field)
                    | Avx2.ShiftLeftLogicalVariable(one, Avx2.ShiftRightLogical(bits, 5) & field)
                    | Avx2.ShiftLeftLogicalVariable(one, Avx2.ShiftRightLogical(bits, 10) & field);
                var passed = (uint)Avx.MoveMask(Avx2.CompareEqual(words & mask, mask).AsSingle());
                while (passed != 0)
                {
                    var lane = BitOperations.TrailingZeroCount(passed);
                    passed &= passed - 1;
                    var index8 = c + ((lane & 3) << 1) + (lane >> 2); // lanes 0–3 hold candidates 0, 2, 4, 6; lanes 4–7 hold 1, 3, 5, 7
                    found += Report(index8, candidate[index8].High, candidate[index8].Low, matches);
                }
            }
        }

        return c;
    }

    /// <summary>Exact look-up of a candidate that passed the filter; appends its matches.</summary>
    private int Report(int candidateIndex, ulong high, ulong low, List<SightingMatch> matches)
    {
        var (first, count) = EqualRange(high, low);
        for (var i = first; i < first + count; i++)
        {
            matches.Add(new SightingMatch(candidateIndex, _positions[i]));
        }

        return count;
    }

    /// <summary>The sorted entries equal to (high, low): the first one's index and how many (0 when none).</summary>
    private (int First, int Count) EqualRange(ulong high, ulong low)
    {
        var first = Locate(high, low);
        if (first < 0)
        {
            return (0, 0);
        }

        var end = first + 1;
        while (end < _high.Length && _high[end] == high && _low[end] == low)
        {
            end++;
        }

        return (first, end - first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MayContain(ulong high, ulong low)
    {
        var mask = Mask((uint)low);
        return (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_filter), (nint)((uint)high & _wordMask)) & mask) == mask;
    }

    /// <summary>The three bits of an identifier: three 5-bit fields of its second half (C# takes a shift count modulo 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mask(uint low) => (1u << (int)low) | (1u << (int)(low >> 5)) | (1u << (int)(low >> 10));

    /// <summary>Index of the first sorted entry equal to (high, low), or -1.</summary>
    private int Locate(ulong high, ulong low)
    {
        var prefix = (int)(high >> _prefixShift);
        var end = _prefixStart[prefix + 1];
        for (var i = _prefixStart[prefix]; i < end; i++)
        {
            var h = _high[i];
            if (h == high && _low[i] == low)
            {
                return i;
            }

            if (h > high)
            {
                break;
            }
        }

        return -1;
    }
}

/// <summary>Which instructions test candidates against the filter.</summary>
/// <remarks>
/// An AVX-512 variant (two-source permutes instead of unpacks, masks sixteen lanes wide, still two AVX2 gathers)
/// measured the same as AVX2 at 100,000 and 1,000,000 sightings: the gathers' cache accesses bound the test,
/// not its arithmetic. It was left out.
/// </remarks>
internal enum FilterTest
{
    Scalar,
    Avx2,
}

/// <summary>A candidate identifier (by its index in the query) that was heard, and where in the log.</summary>
public readonly record struct SightingMatch(int CandidateIndex, int Position);

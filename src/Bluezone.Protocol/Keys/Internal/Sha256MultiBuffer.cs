using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bluezone.Protocol.Keys.Internal;

/// <summary>The eight working words of SHA-256, each a vector of lanes.</summary>
[InlineArray(8)]
internal struct Sha256State<TVector>
    where TVector : struct
{
    private TVector _word;
}

/// <summary>One 64-byte message block as sixteen big-endian words, each a vector of lanes.</summary>
[InlineArray(16)]
internal struct Sha256Block<TVector>
    where TVector : struct
{
    private TVector _word;
}

/// <summary>The 64-word message schedule with the round constants already added (W[t] + K[t]).</summary>
[InlineArray(64)]
internal struct Sha256Schedule<TVector>
    where TVector : struct
{
    private TVector _word;
}

/// <summary>Constants of SHA-256 (FIPS 180-4 §4.2.2, §5.3.3).</summary>
internal static class Sha256Constants
{
    public static ReadOnlySpan<uint> InitialState =>
    [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];

    public static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
}

/// <summary>
/// The SHA-256 compression function on <c>TOps.Lanes</c> independent messages at once ("multi-buffer"):
/// word j of every lane's state sits in one vector, so each instruction advances all lanes by one step.
/// This suits key derivation, where every message has the same short, fixed shape and only the key bytes
/// differ. .NET exposes no SHA-NI intrinsics, and SHA-NI handles one message at a time anyway; sixteen
/// AVX-512 lanes give more throughput than that from managed code.
/// </summary>
internal static class Sha256MultiBuffer<TVector, TOps>
    where TVector : struct
    where TOps : struct, ILaneOperations<TVector>
{
    /// <summary>
    /// state = state + rounds(state, block): one compression with the Davies–Meyer feed-forward.
    /// <paramref name="block"/> is consumed: it serves as the 16-word window of the message schedule.
    /// </summary>
    /// <remarks>
    /// The schedule is computed inside the round loop, 16 words at a time in place of the block, rather than
    /// all 64 words up front: each round's chain of dependent additions leaves execution slots idle that the
    /// independent schedule arithmetic fills, and the words stay in cache lines that were just written.
    /// </remarks>
    public static void Compress(ref Sha256State<TVector> state, ref Sha256Block<TVector> block)
    {
        var a = state[0];
        var b = state[1];
        var c = state[2];
        var d = state[3];
        var e = state[4];
        var f = state[5];
        var g = state[6];
        var h = state[7];
        ref var w = ref block[0];
        ref var k = ref MemoryMarshal.GetReference(Sha256Constants.RoundConstants);

        for (var t = 0; t < 16; t += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, TOps.Add(Unsafe.Add(ref w, t), TOps.Broadcast(Unsafe.Add(ref k, t))));
            Round(h, a, b, ref c, d, e, f, ref g, TOps.Add(Unsafe.Add(ref w, t + 1), TOps.Broadcast(Unsafe.Add(ref k, t + 1))));
            Round(g, h, a, ref b, c, d, e, ref f, TOps.Add(Unsafe.Add(ref w, t + 2), TOps.Broadcast(Unsafe.Add(ref k, t + 2))));
            Round(f, g, h, ref a, b, c, d, ref e, TOps.Add(Unsafe.Add(ref w, t + 3), TOps.Broadcast(Unsafe.Add(ref k, t + 3))));
            Round(e, f, g, ref h, a, b, c, ref d, TOps.Add(Unsafe.Add(ref w, t + 4), TOps.Broadcast(Unsafe.Add(ref k, t + 4))));
            Round(d, e, f, ref g, h, a, b, ref c, TOps.Add(Unsafe.Add(ref w, t + 5), TOps.Broadcast(Unsafe.Add(ref k, t + 5))));
            Round(c, d, e, ref f, g, h, a, ref b, TOps.Add(Unsafe.Add(ref w, t + 6), TOps.Broadcast(Unsafe.Add(ref k, t + 6))));
            Round(b, c, d, ref e, f, g, h, ref a, TOps.Add(Unsafe.Add(ref w, t + 7), TOps.Broadcast(Unsafe.Add(ref k, t + 7))));
        }

        for (var t = 16; t < 64; t += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, NextWord(ref w, ref k, t));
            Round(h, a, b, ref c, d, e, f, ref g, NextWord(ref w, ref k, t + 1));
            Round(g, h, a, ref b, c, d, e, ref f, NextWord(ref w, ref k, t + 2));
            Round(f, g, h, ref a, b, c, d, ref e, NextWord(ref w, ref k, t + 3));
            Round(e, f, g, ref h, a, b, c, ref d, NextWord(ref w, ref k, t + 4));
            Round(d, e, f, ref g, h, a, b, ref c, NextWord(ref w, ref k, t + 5));
            Round(c, d, e, ref f, g, h, a, ref b, NextWord(ref w, ref k, t + 6));
            Round(b, c, d, ref e, f, g, h, ref a, NextWord(ref w, ref k, t + 7));
        }

        state[0] = TOps.Add(state[0], a);
        state[1] = TOps.Add(state[1], b);
        state[2] = TOps.Add(state[2], c);
        state[3] = TOps.Add(state[3], d);
        state[4] = TOps.Add(state[4], e);
        state[5] = TOps.Add(state[5], f);
        state[6] = TOps.Add(state[6], g);
        state[7] = TOps.Add(state[7], h);
    }

    /// <summary>W[t] (t ≥ 16) into the window slot of W[t − 16]; returns W[t] + K[t].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector NextWord(ref TVector window, ref uint k, int t)
    {
        var w2 = Unsafe.Add(ref window, (t - 2) & 15);
        var w15 = Unsafe.Add(ref window, (t - 15) & 15);
        var s1 = TOps.Xor3(TOps.RotateRight(w2, 17), TOps.RotateRight(w2, 19), TOps.ShiftRight(w2, 10));
        var s0 = TOps.Xor3(TOps.RotateRight(w15, 7), TOps.RotateRight(w15, 18), TOps.ShiftRight(w15, 3));
        ref var slot = ref Unsafe.Add(ref window, t & 15);
        var word = TOps.Add(TOps.Add(s1, Unsafe.Add(ref window, (t - 7) & 15)), TOps.Add(s0, slot));
        slot = word;
        return TOps.Add(word, TOps.Broadcast(Unsafe.Add(ref k, t)));
    }

    /// <summary>Expands a block into its 64-word schedule and adds the round constants (for constant blocks, computed once).</summary>
    public static void Expand(ref Sha256Block<TVector> block, ref Sha256Schedule<TVector> schedule)
    {
        ref var w = ref schedule[0];
        for (var t = 0; t < 16; t++)
        {
            Unsafe.Add(ref w, t) = block[t];
        }

        for (var t = 16; t < 64; t++)
        {
            var w2 = Unsafe.Add(ref w, t - 2);
            var w15 = Unsafe.Add(ref w, t - 15);
            var s1 = TOps.Xor3(TOps.RotateRight(w2, 17), TOps.RotateRight(w2, 19), TOps.ShiftRight(w2, 10));
            var s0 = TOps.Xor3(TOps.RotateRight(w15, 7), TOps.RotateRight(w15, 18), TOps.ShiftRight(w15, 3));
            Unsafe.Add(ref w, t) = TOps.Add(TOps.Add(s1, Unsafe.Add(ref w, t - 7)), TOps.Add(s0, Unsafe.Add(ref w, t - 16)));
        }

        // With K included, the schedule of a constant block is one table the rounds read directly.
        var k = Sha256Constants.RoundConstants;
        for (var t = 0; t < 64; t++)
        {
            Unsafe.Add(ref w, t) = TOps.Add(Unsafe.Add(ref w, t), TOps.Broadcast(k[t]));
        }
    }

    /// <summary>The 64 rounds over a schedule that already includes K, then the feed-forward into <paramref name="state"/>.</summary>
    public static void Rounds(ref Sha256State<TVector> state, ref Sha256Schedule<TVector> schedule)
    {
        var a = state[0];
        var b = state[1];
        var c = state[2];
        var d = state[3];
        var e = state[4];
        var f = state[5];
        var g = state[6];
        var h = state[7];
        ref var wk = ref schedule[0];

        // Eight rounds per iteration with the roles of the variables rotated, instead of shifting eight
        // registers every round: each round then writes just two variables (the new a and the new e).
        for (var t = 0; t < 64; t += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, Unsafe.Add(ref wk, t));
            Round(h, a, b, ref c, d, e, f, ref g, Unsafe.Add(ref wk, t + 1));
            Round(g, h, a, ref b, c, d, e, ref f, Unsafe.Add(ref wk, t + 2));
            Round(f, g, h, ref a, b, c, d, ref e, Unsafe.Add(ref wk, t + 3));
            Round(e, f, g, ref h, a, b, c, ref d, Unsafe.Add(ref wk, t + 4));
            Round(d, e, f, ref g, h, a, b, ref c, Unsafe.Add(ref wk, t + 5));
            Round(c, d, e, ref f, g, h, a, ref b, Unsafe.Add(ref wk, t + 6));
            Round(b, c, d, ref e, f, g, h, ref a, Unsafe.Add(ref wk, t + 7));
        }

        state[0] = TOps.Add(state[0], a);
        state[1] = TOps.Add(state[1], b);
        state[2] = TOps.Add(state[2], c);
        state[3] = TOps.Add(state[3], d);
        state[4] = TOps.Add(state[4], e);
        state[5] = TOps.Add(state[5], f);
        state[6] = TOps.Add(state[6], g);
        state[7] = TOps.Add(state[7], h);
    }

    /// <summary>Fills a schedule with the same precomputed W[t] + K[t] in every lane (a constant block).</summary>
    public static void Broadcast(ReadOnlySpan<uint> scheduleWithConstants, ref Sha256Schedule<TVector> schedule)
    {
        for (var t = 0; t < 64; t++)
        {
            schedule[t] = TOps.Broadcast(scheduleWithConstants[t]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(TVector a, TVector b, TVector c, ref TVector d, TVector e, TVector f, TVector g, ref TVector h, TVector wk)
    {
        var sigma1 = TOps.Xor3(TOps.RotateRight(e, 6), TOps.RotateRight(e, 11), TOps.RotateRight(e, 25));
        var t1 = TOps.Add(TOps.Add(h, wk), TOps.Add(sigma1, TOps.Choose(e, f, g)));
        var sigma0 = TOps.Xor3(TOps.RotateRight(a, 2), TOps.RotateRight(a, 13), TOps.RotateRight(a, 22));
        d = TOps.Add(d, t1);
        h = TOps.Add(t1, TOps.Add(sigma0, TOps.Majority(a, b, c)));
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bluezone.Protocol.Keys.Internal;

/// <summary>
/// The 32-bit word operations SHA-256 needs, on a vector of independent lanes (one message per lane).
/// The compression is written once, generically over this interface; each implementation is a struct so
/// the JIT specialises and inlines it, and the generic code costs nothing over hand-written copies.
/// </summary>
internal interface ILaneOperations<TVector>
    where TVector : struct
{
    /// <summary>Number of independent messages processed side by side.</summary>
    static abstract int Lanes { get; }

    /// <summary>Whether the instructions this implementation relies on exist on this machine.</summary>
    static abstract bool IsSupported { get; }

    static abstract TVector Broadcast(uint value);

    /// <summary>Reads <see cref="Lanes"/> consecutive words, lane 0 first.</summary>
    static abstract TVector Load(ref uint source);

    static abstract void Store(TVector value, ref uint destination);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Xor(TVector a, TVector b);

    /// <summary>a ^ b ^ c.</summary>
    static abstract TVector Xor3(TVector a, TVector b, TVector c);

    /// <summary>SHA-256 Ch: bits of f where e is set, of g elsewhere.</summary>
    static abstract TVector Choose(TVector e, TVector f, TVector g);

    /// <summary>SHA-256 Maj: the bitwise majority of a, b, c.</summary>
    static abstract TVector Majority(TVector a, TVector b, TVector c);

    static abstract TVector RotateRight(TVector x, [ConstantExpected] byte count);

    static abstract TVector ShiftRight(TVector x, [ConstantExpected] byte count);
}

/// <summary>One message at a time: the fallback for machines without AVX2, and the reference for the vector paths.</summary>
internal readonly struct ScalarLanes : ILaneOperations<uint>
{
    public static int Lanes => 1;

    public static bool IsSupported => true;

    public static uint Broadcast(uint value) => value;

    public static uint Load(ref uint source) => source;

    public static void Store(uint value, ref uint destination) => destination = value;

    public static uint Add(uint a, uint b) => a + b;

    public static uint Xor(uint a, uint b) => a ^ b;

    public static uint Xor3(uint a, uint b, uint c) => a ^ b ^ c;

    public static uint Choose(uint e, uint f, uint g) => g ^ (e & (f ^ g));

    public static uint Majority(uint a, uint b, uint c) => (a & b) | (c & (a | b));

    public static uint RotateRight(uint x, [ConstantExpected] byte count) => System.Numerics.BitOperations.RotateRight(x, count);

    public static uint ShiftRight(uint x, [ConstantExpected] byte count) => x >> count;
}

/// <summary>
/// Eight messages per 256-bit register (AVX2). AVX2 has no rotate or three-input logic instruction, so a
/// rotation costs two shifts and an OR; the 512-bit path avoids that.
/// </summary>
internal readonly struct Vector256Lanes : ILaneOperations<Vector256<uint>>
{
    public static int Lanes => Vector256<uint>.Count;

    public static bool IsSupported => Avx2.IsSupported;

    public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);

    public static Vector256<uint> Load(ref uint source) => Vector256.LoadUnsafe(ref source);

    public static void Store(Vector256<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);

    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;

    public static Vector256<uint> Xor(Vector256<uint> a, Vector256<uint> b) => a ^ b;

    public static Vector256<uint> Xor3(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => a ^ b ^ c;

    public static Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) => g ^ (e & (f ^ g));

    public static Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateRight(Vector256<uint> x, [ConstantExpected] byte count) =>
        Vector256.ShiftRightLogical(x, count) | Vector256.ShiftLeft(x, 32 - count);

    public static Vector256<uint> ShiftRight(Vector256<uint> x, [ConstantExpected] byte count) => Vector256.ShiftRightLogical(x, count);
}

/// <summary>
/// Sixteen messages per 512-bit register (AVX-512F). Besides twice the lanes, AVX-512 has a rotate
/// (<c>vprord</c>) and a three-input logic instruction (<c>vpternlogd</c>) that computes Ch, Maj and the
/// three-way XORs of the Σ functions in one instruction each, which roughly halves the work per round.
/// </summary>
internal readonly struct Vector512Lanes : ILaneOperations<Vector512<uint>>
{
    // vpternlogd truth tables: bit (a<<2 | b<<1 | c) of the immediate is the result for those inputs.
    private const byte XorOfThree = 0x96;
    private const byte ChooseTable = 0xCA;
    private const byte MajorityTable = 0xE8;

    public static int Lanes => Vector512<uint>.Count;

    public static bool IsSupported => Avx512F.IsSupported;

    public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);

    public static Vector512<uint> Load(ref uint source) => Vector512.LoadUnsafe(ref source);

    public static void Store(Vector512<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);

    public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;

    public static Vector512<uint> Xor(Vector512<uint> a, Vector512<uint> b) => a ^ b;

    public static Vector512<uint> Xor3(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, XorOfThree);

    public static Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) => Avx512F.TernaryLogic(e, f, g, ChooseTable);

    public static Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, MajorityTable);

    public static Vector512<uint> RotateRight(Vector512<uint> x, [ConstantExpected] byte count) => Avx512F.RotateRight(x, count);

    public static Vector512<uint> ShiftRight(Vector512<uint> x, [ConstantExpected] byte count) => Avx512F.ShiftRightLogical(x, count);
}

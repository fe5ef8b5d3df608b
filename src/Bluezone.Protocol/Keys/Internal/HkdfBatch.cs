using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Bluezone.Protocol.Internal;

namespace Bluezone.Protocol.Keys.Internal;

/// <summary>Which SHA-256 implementation derives keys in a batch.</summary>
internal enum Sha256Engine
{
    /// <summary>One key at a time in plain C#.</summary>
    Scalar,

    /// <summary>Eight keys per instruction with AVX2.</summary>
    Vector256,

    /// <summary>Sixteen keys per instruction with AVX-512F.</summary>
    Vector512,
}

/// <summary>
/// HKDF-SHA256(ikm, salt = none, info, L = 16) for many 16-byte input keys at once — the shape of every
/// key the Exposure Notification schedule derives from a TEK (RPIK, AEMK).
/// </summary>
/// <remarks>
/// Written out, the derivation is six SHA-256 compressions per key, of which several inputs are constant:
/// <list type="number">
/// <item>Extract, inner hash: the absent salt means an HMAC key of zeros, so the ipad block is constant and
/// the state after it is computed once (<see cref="ExtractInnerState"/>); one compression over TEK ‖ padding.</item>
/// <item>Extract, outer hash: likewise from a constant opad state; one compression → PRK.</item>
/// <item>Expand, inner key block: PRK ⊕ ipad; one compression.</item>
/// <item>Expand, inner message: info ‖ 0x01 ‖ padding is the same for every key, so its whole message
/// schedule is precomputed and only the 64 rounds remain.</item>
/// <item>Expand, outer key block: PRK ⊕ opad; one compression.</item>
/// <item>Expand, outer message: inner hash ‖ padding; one compression → T(1), of which the first 16 bytes
/// are the output (L = 16 needs a single HMAC block, T(1) = HMAC(PRK, info ‖ 0x01)).</item>
/// </list>
/// The platform's HKDF recomputes the constant parts and pays a native call per key; here they are done
/// once, and all lanes share every instruction.
/// </remarks>
internal static class HkdfBatch
{
    public const int KeyLength = 16;

    private const uint Ipad = 0x36363636;
    private const uint Opad = 0x5c5c5c5c;

    /// <summary>SHA-256 state after the HMAC ipad block of an all-zero key (the absent salt).</summary>
    internal static readonly uint[] ExtractInnerState = StateAfterConstantBlock(Ipad);

    /// <summary>SHA-256 state after the HMAC opad block of an all-zero key.</summary>
    internal static readonly uint[] ExtractOuterState = StateAfterConstantBlock(Opad);

    /// <summary>Message schedule (with K added) of the block "EN-RPIK" ‖ 0x01 ‖ SHA-256 padding.</summary>
    internal static readonly uint[] RpikInfoSchedule = InfoSchedule("EN-RPIK"u8);

    /// <summary>Message schedule (with K added) of the block "EN-AEMK" ‖ 0x01 ‖ SHA-256 padding.</summary>
    internal static readonly uint[] AemkInfoSchedule = InfoSchedule("EN-AEMK"u8);

    /// <summary>The fastest engine this machine supports.</summary>
    public static Sha256Engine BestEngine { get; } =
        Vector512Lanes.IsSupported && Vector512.IsHardwareAccelerated ? Sha256Engine.Vector512
        : Vector256Lanes.IsSupported ? Sha256Engine.Vector256
        : Sha256Engine.Scalar;

    public static bool IsSupported(Sha256Engine engine) => engine switch
    {
        Sha256Engine.Scalar => true,
        Sha256Engine.Vector256 => Vector256Lanes.IsSupported,
        Sha256Engine.Vector512 => Vector512Lanes.IsSupported,
        _ => false,
    };

    /// <summary>Derives one 16-byte key per 16-byte input key; lengths are checked by the caller.</summary>
    /// <param name="infoSchedule"><see cref="RpikInfoSchedule"/> or <see cref="AemkInfoSchedule"/>.</param>
    public static void Derive(ReadOnlySpan<byte> keys, Span<byte> output, uint[] infoSchedule, Sha256Engine engine)
    {
        switch (engine)
        {
            case Sha256Engine.Vector512 when Vector512Lanes.IsSupported:
                HkdfBatch<Vector512<uint>, Vector512Lanes>.Derive(keys, output, infoSchedule);
                break;
            case Sha256Engine.Vector256 when Vector256Lanes.IsSupported:
                HkdfBatch<Vector256<uint>, Vector256Lanes>.Derive(keys, output, infoSchedule);
                break;
            case Sha256Engine.Scalar:
                HkdfBatch<uint, ScalarLanes>.Derive(keys, output, infoSchedule);
                break;
            default:
                ThrowHelper.ThrowPlatformNotSupported($"SHA-256 engine {engine} is not supported on this machine.");
                break;
        }
    }

    private static uint[] StateAfterConstantBlock(uint pad)
    {
        var block = default(Sha256Block<uint>);
        ((Span<uint>)block).Fill(pad);
        var state = default(Sha256State<uint>);
        Sha256Constants.InitialState.CopyTo(state);
        Sha256MultiBuffer<uint, ScalarLanes>.Compress(ref state, ref block);
        return ((ReadOnlySpan<uint>)state).ToArray();
    }

    private static uint[] InfoSchedule(ReadOnlySpan<byte> info)
    {
        // The message after the 64-byte key block: info ‖ 0x01, then the 0x80 terminator and the bit length
        // of everything hashed (64 + info + 1 bytes).
        Span<byte> bytes = stackalloc byte[64];
        bytes.Clear();
        info.CopyTo(bytes);
        bytes[info.Length] = 0x01;
        bytes[info.Length + 1] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(bytes[56..], (ulong)(64 + info.Length + 1) * 8);
        var block = default(Sha256Block<uint>);
        for (var j = 0; j < 16; j++)
        {
            block[j] = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * j)..]);
        }

        var schedule = default(Sha256Schedule<uint>);
        Sha256MultiBuffer<uint, ScalarLanes>.Expand(ref block, ref schedule);
        return ((ReadOnlySpan<uint>)schedule).ToArray();
    }
}

/// <summary>The batched derivation for one lane width; see <see cref="HkdfBatch"/> for the steps.</summary>
[SkipLocalsInit] // the info schedule alone is 64 vectors (4 KiB at 512 bits); zeroing locals per call would be waste
internal static class HkdfBatch<TVector, TOps>
    where TVector : struct
    where TOps : struct, ILaneOperations<TVector>
{
    private const uint Ipad = 0x36363636;
    private const uint Opad = 0x5c5c5c5c;
    private const uint PaddingStart = 0x80000000;

    /// <summary>Bit length of a 64-byte key block plus a 16-byte key.</summary>
    private const uint ExtractInnerBits = (64 + 16) * 8;

    /// <summary>Bit length of a 64-byte key block plus a 32-byte inner hash.</summary>
    private const uint OuterBits = (64 + 32) * 8;

    public static void Derive(ReadOnlySpan<byte> keys, Span<byte> output, uint[] infoSchedule)
    {
        var lanes = TOps.Lanes;
        var count = keys.Length / HkdfBatch.KeyLength;

        // Keys arrive one after another; the compression wants word j of all lanes together. The transpose
        // goes through this small buffer: four words per lane in, four words per lane out.
        Span<uint> words = stackalloc uint[4 * lanes];
        ref var w = ref MemoryMarshal.GetReference(words);

        Unsafe.SkipInit(out Sha256Schedule<TVector> info);
        Sha256MultiBuffer<TVector, TOps>.Broadcast(infoSchedule, ref info);

        for (var start = 0; start < count; start += lanes)
        {
            var inBatch = Math.Min(lanes, count - start);
            if (inBatch < lanes)
            {
                words.Clear(); // unused lanes compute on zeros and are discarded
            }

            for (var lane = 0; lane < inBatch; lane++)
            {
                var key = keys.Slice((start + lane) * HkdfBatch.KeyLength, HkdfBatch.KeyLength);
                for (var j = 0; j < 4; j++)
                {
                    Unsafe.Add(ref w, (j * lanes) + lane) = BinaryPrimitives.ReadUInt32BigEndian(key[(4 * j)..]);
                }
            }

            DeriveLanes(ref w, ref info);

            for (var lane = 0; lane < inBatch; lane++)
            {
                var derived = output.Slice((start + lane) * HkdfBatch.KeyLength, HkdfBatch.KeyLength);
                for (var j = 0; j < 4; j++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(derived[(4 * j)..], Unsafe.Add(ref w, (j * lanes) + lane));
                }
            }
        }

        words.Clear(); // key material
    }

    /// <summary>In: the four input-key words of every lane at <paramref name="words"/>; out: the four derived words.</summary>
    private static void DeriveLanes(ref uint words, ref Sha256Schedule<TVector> info)
    {
        var lanes = TOps.Lanes;
        Unsafe.SkipInit(out Sha256State<TVector> state);
        Unsafe.SkipInit(out Sha256State<TVector> prk);
        Unsafe.SkipInit(out Sha256State<TVector> inner);
        Unsafe.SkipInit(out Sha256Block<TVector> block);
        var zero = TOps.Broadcast(0);

        // 1. Extract, inner: H(ipad(0) ‖ IKM).
        Start(ref state, HkdfBatch.ExtractInnerState);
        for (var j = 0; j < 4; j++)
        {
            block[j] = TOps.Load(ref Unsafe.Add(ref words, j * lanes));
        }

        block[4] = TOps.Broadcast(PaddingStart);
        for (var j = 5; j < 15; j++)
        {
            block[j] = zero;
        }

        block[15] = TOps.Broadcast(ExtractInnerBits);
        Sha256MultiBuffer<TVector, TOps>.Compress(ref state, ref block);

        // 2. Extract, outer: PRK = H(opad(0) ‖ inner).
        PadHash(ref block, ref state);
        Start(ref prk, HkdfBatch.ExtractOuterState);
        Sha256MultiBuffer<TVector, TOps>.Compress(ref prk, ref block);

        // 3.–4. Expand, inner: H(PRK ⊕ ipad ‖ info ‖ 0x01).
        KeyBlock(ref block, ref prk, Ipad);
        Start(ref inner, Sha256Constants.InitialState);
        Sha256MultiBuffer<TVector, TOps>.Compress(ref inner, ref block);
        Sha256MultiBuffer<TVector, TOps>.Rounds(ref inner, ref info);

        // 5.–6. Expand, outer: T(1) = H(PRK ⊕ opad ‖ inner).
        KeyBlock(ref block, ref prk, Opad);
        Start(ref state, Sha256Constants.InitialState);
        Sha256MultiBuffer<TVector, TOps>.Compress(ref state, ref block);
        PadHash(ref block, ref inner);
        Sha256MultiBuffer<TVector, TOps>.Compress(ref state, ref block);

        for (var j = 0; j < 4; j++)
        {
            TOps.Store(state[j], ref Unsafe.Add(ref words, j * lanes));
        }
    }

    private static void Start(ref Sha256State<TVector> state, ReadOnlySpan<uint> initial)
    {
        for (var j = 0; j < 8; j++)
        {
            state[j] = TOps.Broadcast(initial[j]);
        }
    }

    /// <summary>A 32-byte hash as the last block of a 96-byte message (HMAC's outer hash).</summary>
    private static void PadHash(ref Sha256Block<TVector> block, ref Sha256State<TVector> hash)
    {
        for (var j = 0; j < 8; j++)
        {
            block[j] = hash[j];
        }

        block[8] = TOps.Broadcast(PaddingStart);
        var zero = TOps.Broadcast(0);
        for (var j = 9; j < 15; j++)
        {
            block[j] = zero;
        }

        block[15] = TOps.Broadcast(OuterBits);
    }

    /// <summary>HMAC's key block for a 32-byte key: (key ‖ 0³²) ⊕ pad.</summary>
    private static void KeyBlock(ref Sha256Block<TVector> block, ref Sha256State<TVector> key, uint pad)
    {
        var padding = TOps.Broadcast(pad);
        for (var j = 0; j < 8; j++)
        {
            block[j] = TOps.Xor(key[j], padding);
        }

        for (var j = 8; j < 16; j++)
        {
            block[j] = padding;
        }
    }
}

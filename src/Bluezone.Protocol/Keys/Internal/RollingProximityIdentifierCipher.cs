using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Time;
using PlatformAes = System.Security.Cryptography.Aes;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;
using X86Sse2 = System.Runtime.Intrinsics.X86.Sse2;
using X86Ssse3 = System.Runtime.Intrinsics.X86.Ssse3;

namespace Bluezone.Protocol.Keys.Internal;

/// <summary>Which AES implementation encrypts the padded RPI blocks.</summary>
internal enum AesEngine
{
    /// <summary>System.Security.Cryptography.Aes (OpenSSL here): one native call per key.</summary>
    Platform,

    /// <summary>AES-NI instructions, eight blocks interleaved.</summary>
    AesNi,
}

/// <summary>The eleven round keys of AES-128.</summary>
[InlineArray(11)]
internal struct Aes128RoundKeys
{
    private Vector128<byte> _key;
}

/// <summary>
/// RPI(i) = AES-128(RPIK, "EN-RPI" ‖ 0×6 ‖ uint32-le(i)) for a run of consecutive intervals.
/// </summary>
/// <remarks>
/// .NET 10 exposes AES-NI (<see cref="X86Aes"/>) only on 128-bit vectors; there is no VAES (256/512-bit
/// AES) intrinsic yet, so each instruction encrypts one block. AESENC has a latency of several cycles but
/// the CPU can start one or two per cycle, so eight independent blocks are kept in flight per round key to
/// keep the AES units busy rather than waiting on each block's previous round. On the development machine a
/// day's 1,440 AESENC take about 330 ns at a nominal 2.1 GHz: close to two per cycle, the limit for 128-bit AES.
/// </remarks>
[SkipLocalsInit]
internal static class RollingProximityIdentifierCipher
{
    /// <summary>"EN-R" and "PI\0\0" as little-endian words: the fixed start of every padded block.</summary>
    private const uint LabelWord0 = 'E' | ('N' << 8) | ('-' << 16) | ('R' << 24);
    private const uint LabelWord1 = 'P' | ('I' << 8);

    /// <summary>Blocks in flight per round key; see the remarks on the class.</summary>
    private const int Interleave = 8;

    /// <summary>Most keys <see cref="EncryptDays"/> expands at once: 64 schedules take 11 KiB of stack.</summary>
    public const int MaxKeysPerCall = 64;

    public static AesEngine BestEngine { get; } = X86Aes.IsSupported && X86Ssse3.IsSupported ? AesEngine.AesNi : AesEngine.Platform;

    public static bool IsSupported(AesEngine engine) => engine switch
    {
        AesEngine.Platform => true,
        AesEngine.AesNi => X86Aes.IsSupported && X86Ssse3.IsSupported,
        _ => false,
    };

    /// <summary>Fills <paramref name="destination"/> with the RPIs of intervals <paramref name="firstInterval"/>, +1, ….</summary>
    /// <param name="platformAes">An AES instance to reuse for the platform engine; created when null.</param>
    public static void Encrypt(ReadOnlySpan<byte> rpik, int firstInterval, Span<RollingProximityIdentifier> destination, AesEngine engine, PlatformAes? platformAes = null)
    {
        switch (engine)
        {
            case AesEngine.AesNi when IsSupported(AesEngine.AesNi):
                EncryptAesNi(rpik, firstInterval, destination);
                break;
            case AesEngine.Platform:
                if (platformAes is null)
                {
                    using var aes = PlatformAes.Create();
                    EncryptPlatform(aes, rpik, firstInterval, destination);
                }
                else
                {
                    EncryptPlatform(platformAes, rpik, firstInterval, destination);
                }

                break;
            default:
                ThrowHelper.ThrowPlatformNotSupported($"AES engine {engine} is not supported on this machine.");
                break;
        }
    }

    private static void EncryptPlatform(PlatformAes aes, ReadOnlySpan<byte> rpik, int firstInterval, Span<RollingProximityIdentifier> destination)
    {
        // The identifiers' memory doubles as the block buffer: write the padded blocks, encrypt in place,
        // then turn each block's two big-endian halves into the struct's native-endian ulongs.
        var bytes = MemoryMarshal.AsBytes(destination);
        for (var i = 0; i < destination.Length; i++)
        {
            var block = bytes.Slice(i * 16, 16);
            BinaryPrimitives.WriteUInt32LittleEndian(block, LabelWord0);
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], LabelWord1);
            BinaryPrimitives.WriteUInt32LittleEndian(block[8..], 0);
            BinaryPrimitives.WriteInt32LittleEndian(block[12..], unchecked(firstInterval + i));
        }

        aes.SetKey(rpik);
        aes.EncryptEcb(bytes, bytes, PaddingMode.None);
        var halves = MemoryMarshal.Cast<byte, ulong>(bytes);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(halves, halves);
        }
    }

    /// <summary>
    /// The identifiers of whole days for several keys: destination[144·k + i] is RPI(rpiks[k], starts[k] + i).
    /// </summary>
    /// <remarks>
    /// With AES-NI all key schedules of the batch are expanded first, in a loop of their own. Expanding one
    /// key is a chain of ten dependent steps (shuffle, AESENCLAST, XORs: ~60 cycles of latency); inside that loop the
    /// chains of different keys overlap, whereas expanding each key just before its 1,440 AESENCs would
    /// leave the AES unit idle for the length of the chain, every key.
    /// </remarks>
    public static void EncryptDays(ReadOnlySpan<byte> rpiks, ReadOnlySpan<IntervalNumber> starts, Span<RollingProximityIdentifier> destination, AesEngine engine, PlatformAes? platformAes)
    {
        const int day = IntervalNumber.PerDay;
        var count = starts.Length;
        if (engine == AesEngine.AesNi && IsSupported(AesEngine.AesNi) && count <= MaxKeysPerCall)
        {
            Span<Aes128RoundKeys> schedules = stackalloc Aes128RoundKeys[count];
            for (var k = 0; k < count; k++)
            {
                ExpandKey(rpiks.Slice(k * 16, 16), ref schedules[k]);
            }

            for (var k = 0; k < count; k++)
            {
                EncryptAesNi(ref schedules[k], starts[k].Value, destination.Slice(k * day, day));
            }

            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(schedules));
            return;
        }

        for (var k = 0; k < count; k++)
        {
            Encrypt(rpiks.Slice(k * 16, 16), starts[k].Value, destination.Slice(k * day, day), engine, platformAes);
        }
    }

    private static void EncryptAesNi(ReadOnlySpan<byte> rpik, int firstInterval, Span<RollingProximityIdentifier> destination)
    {
        Unsafe.SkipInit(out Aes128RoundKeys schedule);
        ExpandKey(rpik, ref schedule);
        EncryptAesNi(ref schedule, firstInterval, destination);
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref schedule, 1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpandKey(ReadOnlySpan<byte> key, ref Aes128RoundKeys schedule)
    {
        var k = Vector128.Create(key);
        schedule[0] = k;
        schedule[1] = k = NextRoundKey(k, 0x01);
        schedule[2] = k = NextRoundKey(k, 0x02);
        schedule[3] = k = NextRoundKey(k, 0x04);
        schedule[4] = k = NextRoundKey(k, 0x08);
        schedule[5] = k = NextRoundKey(k, 0x10);
        schedule[6] = k = NextRoundKey(k, 0x20);
        schedule[7] = k = NextRoundKey(k, 0x40);
        schedule[8] = k = NextRoundKey(k, 0x80);
        schedule[9] = k = NextRoundKey(k, 0x1b);
        schedule[10] = NextRoundKey(k, 0x36);
    }

    private static void EncryptAesNi(ref Aes128RoundKeys schedule, int firstInterval, Span<RollingProximityIdentifier> destination)
    {
        var k0 = schedule[0];
        var k1 = schedule[1];
        var k2 = schedule[2];
        var k3 = schedule[3];
        var k4 = schedule[4];
        var k5 = schedule[5];
        var k6 = schedule[6];
        var k7 = schedule[7];
        var k8 = schedule[8];
        var k9 = schedule[9];
        var k10 = schedule[10];

        // The RPI struct holds (High, Low) as big-endian readings of the two block halves; reversing the
        // bytes of each half turns the ciphertext straight into the struct's in-memory layout.
        var toHalves = Vector128.Create((byte)7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
        ref var output = ref Unsafe.As<RollingProximityIdentifier, Vector128<byte>>(ref MemoryMarshal.GetReference(destination));
        var counter = Vector128.Create(LabelWord0, LabelWord1, 0u, unchecked((uint)firstInterval));
        var one = Vector128.Create(0u, 0u, 0u, 1u);
        var count = destination.Length;
        var i = 0;
        for (; i + Interleave <= count; i += Interleave)
        {
            var x0 = counter.AsByte() ^ k0;
            var x1 = (counter + one).AsByte() ^ k0;
            var x2 = (counter + Vector128.Create(0u, 0u, 0u, 2u)).AsByte() ^ k0;
            var x3 = (counter + Vector128.Create(0u, 0u, 0u, 3u)).AsByte() ^ k0;
            var x4 = (counter + Vector128.Create(0u, 0u, 0u, 4u)).AsByte() ^ k0;
            var x5 = (counter + Vector128.Create(0u, 0u, 0u, 5u)).AsByte() ^ k0;
            var x6 = (counter + Vector128.Create(0u, 0u, 0u, 6u)).AsByte() ^ k0;
            var x7 = (counter + Vector128.Create(0u, 0u, 0u, 7u)).AsByte() ^ k0;
            counter += Vector128.Create(0u, 0u, 0u, Interleave);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k1);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k2);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k3);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k4);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k5);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k6);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k7);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k8);
            Round(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, k9);
            ref var o = ref Unsafe.Add(ref output, i);
            Unsafe.Add(ref o, 0) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x0, k10), toHalves);
            Unsafe.Add(ref o, 1) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x1, k10), toHalves);
            Unsafe.Add(ref o, 2) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x2, k10), toHalves);
            Unsafe.Add(ref o, 3) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x3, k10), toHalves);
            Unsafe.Add(ref o, 4) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x4, k10), toHalves);
            Unsafe.Add(ref o, 5) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x5, k10), toHalves);
            Unsafe.Add(ref o, 6) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x6, k10), toHalves);
            Unsafe.Add(ref o, 7) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x7, k10), toHalves);
        }

        for (; i < count; i++)
        {
            var x = counter.AsByte() ^ k0;
            counter += one;
            x = X86Aes.Encrypt(x, k1);
            x = X86Aes.Encrypt(x, k2);
            x = X86Aes.Encrypt(x, k3);
            x = X86Aes.Encrypt(x, k4);
            x = X86Aes.Encrypt(x, k5);
            x = X86Aes.Encrypt(x, k6);
            x = X86Aes.Encrypt(x, k7);
            x = X86Aes.Encrypt(x, k8);
            x = X86Aes.Encrypt(x, k9);
            Unsafe.Add(ref output, i) = X86Ssse3.Shuffle(X86Aes.EncryptLast(x, k10), toHalves);
        }
    }

    /// <summary>One step of the AES-128 key schedule (FIPS 197 §5.2).</summary>
    /// <remarks>
    /// RotWord(SubWord(w3)) ⊕ rcon comes from AESENCLAST rather than KEYGENASSIST, which is slow on recent Intel
    /// cores: perf put key expansion at a fifth of the AES time with it. Shuffling RotWord(w3) into all four
    /// columns makes ShiftRows a no-op, so AESENCLAST with rcon in every column as the round key yields
    /// SubWord(RotWord(w3)) ⊕ rcon, already broadcast (the "alternative" expansion OpenSSL also uses).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NextRoundKey(Vector128<byte> key, byte rcon)
    {
        var rotated = X86Ssse3.Shuffle(key, Vector128.Create((byte)13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12));
        var t = X86Aes.EncryptLast(rotated, Vector128.Create((uint)rcon).AsByte());

        // The running XOR of the previous key's words, by three shifted copies.
        key ^= X86Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= X86Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= X86Sse2.ShiftLeftLogical128BitLane(key, 4);
        return key ^ t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(
        ref Vector128<byte> x0, ref Vector128<byte> x1, ref Vector128<byte> x2, ref Vector128<byte> x3,
        ref Vector128<byte> x4, ref Vector128<byte> x5, ref Vector128<byte> x6, ref Vector128<byte> x7, Vector128<byte> key)
    {
        x0 = X86Aes.Encrypt(x0, key);
        x1 = X86Aes.Encrypt(x1, key);
        x2 = X86Aes.Encrypt(x2, key);
        x3 = X86Aes.Encrypt(x3, key);
        x4 = X86Aes.Encrypt(x4, key);
        x5 = X86Aes.Encrypt(x5, key);
        x6 = X86Aes.Encrypt(x6, key);
        x7 = X86Aes.Encrypt(x7, key);
    }
}

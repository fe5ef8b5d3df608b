using System.Buffers;
using System.Security.Cryptography;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Keys.Internal;
using Bluezone.Protocol.Time;
using PlatformAes = System.Security.Cryptography.Aes;

namespace Bluezone.Protocol.Keys;

/// <summary>
/// The key schedule of <see cref="KeySchedule"/> for many keys at once, at hardware speed: matching and
/// the simulator derive all 144 identifiers of millions of published keys.
/// </summary>
/// <remarks>
/// Key derivation (HKDF-SHA256) runs on 16 keys per instruction with AVX-512, 8 with AVX2, or one at a
/// time in plain C#; identifiers are encrypted with AES-NI, or with the platform's AES where the CPU lacks
/// it. Results are identical on every path (the tests hold each path to <see cref="KeySchedule"/>).
/// Keys are passed as concatenated 16-byte spans so that callers can keep them in one flat buffer.
/// </remarks>
public static class RollingProximityIdentifierGenerator
{
    /// <summary>Keys derived per HKDF batch inside DeriveRollingProximityIdentifiers: a
    /// multiple of every lane count, and small enough (1 KiB of RPIKs) to stay on the stack.</summary>
    private const int KeysPerBatch = RollingProximityIdentifierCipher.MaxKeysPerCall;

    private const int KeyLength = TemporaryExposureKey.Length;

    /// <summary>Whether this machine runs the vectorised SHA-256 and AES-NI paths (otherwise correct but slower).</summary>
    public static bool IsHardwareAccelerated =>
        HkdfBatch.BestEngine != Sha256Engine.Scalar && RollingProximityIdentifierCipher.BestEngine == AesEngine.AesNi;

    /// <summary>Describes the paths in use, e.g. "SHA-256 ×16 (AVX-512), AES-NI", for benchmark reports.</summary>
    public static string Implementation => $"{Describe(HkdfBatch.BestEngine)}, {Describe(RollingProximityIdentifierCipher.BestEngine)}";

    /// <summary>RPIK = HKDF-SHA256(TEK, no salt, "EN-RPIK", 16) for each 16-byte key in <paramref name="teks"/>.</summary>
    /// <param name="teks">N keys, 16 bytes each.</param>
    /// <param name="rpiks">Receives N keys, 16 bytes each; may not overlap <paramref name="teks"/> partially.</param>
    public static void DeriveRollingProximityIdentifierKeys(ReadOnlySpan<byte> teks, Span<byte> rpiks) =>
        DeriveRollingProximityIdentifierKeys(teks, rpiks, HkdfBatch.BestEngine);

    /// <summary>AEMK = HKDF-SHA256(TEK, no salt, "EN-AEMK", 16) for each 16-byte key in <paramref name="teks"/>.</summary>
    public static void DeriveAssociatedEncryptedMetadataKeys(ReadOnlySpan<byte> teks, Span<byte> aemks) =>
        DeriveAssociatedEncryptedMetadataKeys(teks, aemks, HkdfBatch.BestEngine);

    /// <summary>
    /// The identifiers of <paramref name="destination"/>.Length consecutive intervals from
    /// <paramref name="firstInterval"/>: destination[i] = AES-128(RPIK, padded data of firstInterval + i).
    /// </summary>
    public static void ComputeRollingProximityIdentifiers(ReadOnlySpan<byte> rpik, IntervalNumber firstInterval, Span<RollingProximityIdentifier> destination) =>
        ComputeRollingProximityIdentifiers(rpik, firstInterval, destination, RollingProximityIdentifierCipher.BestEngine);

    /// <summary>
    /// All 144 identifiers of each key's day: destination[144·k + i] is the RPI of key k at interval
    /// rollingStarts[k] + i. This derives the RPIK of each key and discards it afterwards.
    /// </summary>
    /// <param name="teks">N keys, 16 bytes each.</param>
    /// <param name="rollingStarts">N rolling start interval numbers, one per key.</param>
    /// <param name="destination">144·N identifiers.</param>
    public static void DeriveRollingProximityIdentifiers(ReadOnlySpan<byte> teks, ReadOnlySpan<IntervalNumber> rollingStarts, Span<RollingProximityIdentifier> destination) =>
        DeriveRollingProximityIdentifiers(teks, rollingStarts, destination, HkdfBatch.BestEngine, RollingProximityIdentifierCipher.BestEngine);

    /// <summary>
    /// The AEMs of many RPIs that carry the same metadata under one AEMK (a phone's day of broadcasts):
    /// destination[i] = AES-128-CTR(AEMK, iv = rpis[i], metadata), as <see cref="KeySchedule.EncryptMetadata"/>.
    /// </summary>
    /// <remarks>
    /// Four bytes of CTR use only the first keystream block, AES(AEMK, RPI), so all the keystreams are one ECB
    /// encryption of the RPIs: one cipher set-up and one native call instead of one per RPI.
    /// </remarks>
    public static void EncryptMetadata(ReadOnlySpan<byte> aemk, ReadOnlySpan<RollingProximityIdentifier> rpis, AdvertisementMetadata metadata, Span<AssociatedEncryptedMetadata> destination)
    {
        if (destination.Length != rpis.Length)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Expected room for {rpis.Length} AEMs, got {destination.Length}.");
        }

        var keystreams = rpis.Length <= StackKeystreams ? stackalloc byte[rpis.Length * AssociatedEncryptedMetadata.Length] : new byte[rpis.Length * AssociatedEncryptedMetadata.Length];
        MetadataKeystreams(aemk, rpis, keystreams);
        Span<byte> aem = stackalloc byte[AssociatedEncryptedMetadata.Length];
        for (var i = 0; i < rpis.Length; i++)
        {
            metadata.WriteTo(aem);
            Xor(aem, keystreams, i);
            destination[i] = AssociatedEncryptedMetadata.FromBytes(aem);
        }

        CryptographicOperations.ZeroMemory(keystreams);
    }

    /// <summary>
    /// destination[i] = the metadata that aems[i] carries, sent with rpis[i] under one key's AEMK, as
    /// <see cref="KeySchedule.DecryptMetadata"/>: the scan instances of a matched key take one cipher set-up and
    /// one native call, not one each (a household contact's key is seen in hundreds of scans a day).
    /// </summary>
    public static void DecryptMetadata(ReadOnlySpan<byte> aemk, ReadOnlySpan<RollingProximityIdentifier> rpis, ReadOnlySpan<AssociatedEncryptedMetadata> aems, Span<AdvertisementMetadata> destination)
    {
        if (aems.Length != rpis.Length || destination.Length != rpis.Length)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Expected one AEM and room for one metadata per RPI ({rpis.Length}), got {aems.Length} and {destination.Length}.");
        }

        var keystreams = rpis.Length <= StackKeystreams ? stackalloc byte[rpis.Length * AssociatedEncryptedMetadata.Length] : new byte[rpis.Length * AssociatedEncryptedMetadata.Length];
        MetadataKeystreams(aemk, rpis, keystreams);
        Span<byte> plain = stackalloc byte[AssociatedEncryptedMetadata.Length];
        for (var i = 0; i < rpis.Length; i++)
        {
            aems[i].WriteTo(plain);
            Xor(plain, keystreams, i);
            destination[i] = AdvertisementMetadata.Decode(plain);
        }

        CryptographicOperations.ZeroMemory(keystreams);
    }

    /// <summary>Keystreams of this many RPIs (four bytes each) are kept on the stack; more go to the heap.</summary>
    private const int StackKeystreams = 1024;

    /// <summary>AES blocks of this many RPIs (a day's) are encrypted on the stack; more in a rented array.</summary>
    private const int StackBlocks = IntervalNumber.PerDay;

    /// <summary>
    /// The four bytes of CTR keystream that each RPI's metadata is XORed with, into <paramref name="destination"/>
    /// (four bytes per RPI): the start of AES(AEMK, RPI), since four bytes of CTR use only the first block. So
    /// encrypting and decrypting are the same XOR, and all the blocks are one ECB encryption of the RPIs — one
    /// cipher set-up and one native call instead of one per RPI. The blocks are wiped before they are let go.
    /// </summary>
    private static void MetadataKeystreams(ReadOnlySpan<byte> aemk, ReadOnlySpan<RollingProximityIdentifier> rpis, Span<byte> destination)
    {
        if (aemk.Length != KeyLength)
        {
            ThrowHelper.ThrowArgument(nameof(aemk), $"Expected a {KeyLength}-byte key, got {aemk.Length} bytes.");
        }

        var length = rpis.Length * RollingProximityIdentifier.Length;
        byte[]? rented = null;
        var blocks = rpis.Length <= StackBlocks ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            for (var i = 0; i < rpis.Length; i++)
            {
                rpis[i].WriteTo(blocks[(i * RollingProximityIdentifier.Length)..]);
            }

            using (var aes = PlatformAes.Create())
            {
                aes.SetKey(aemk);
                aes.EncryptEcb(blocks, blocks, PaddingMode.None);
            }

            for (var i = 0; i < rpis.Length; i++)
            {
                blocks.Slice(i * RollingProximityIdentifier.Length, AssociatedEncryptedMetadata.Length).CopyTo(destination[(i * AssociatedEncryptedMetadata.Length)..]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blocks);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Xor(Span<byte> metadata, ReadOnlySpan<byte> keystreams, int index)
    {
        for (var j = 0; j < metadata.Length; j++)
        {
            metadata[j] ^= keystreams[(index * AssociatedEncryptedMetadata.Length) + j];
        }
    }

    internal static void DeriveRollingProximityIdentifierKeys(ReadOnlySpan<byte> teks, Span<byte> rpiks, Sha256Engine engine)
    {
        CheckKeys(teks, rpiks, nameof(rpiks));
        HkdfBatch.Derive(teks, rpiks, HkdfBatch.RpikInfoSchedule, engine);
    }

    internal static void DeriveAssociatedEncryptedMetadataKeys(ReadOnlySpan<byte> teks, Span<byte> aemks, Sha256Engine engine)
    {
        CheckKeys(teks, aemks, nameof(aemks));
        HkdfBatch.Derive(teks, aemks, HkdfBatch.AemkInfoSchedule, engine);
    }

    internal static void ComputeRollingProximityIdentifiers(ReadOnlySpan<byte> rpik, IntervalNumber firstInterval, Span<RollingProximityIdentifier> destination, AesEngine engine)
    {
        if (rpik.Length != KeyLength)
        {
            ThrowHelper.ThrowArgument(nameof(rpik), $"Expected a {KeyLength}-byte key, got {rpik.Length} bytes.");
        }

        RollingProximityIdentifierCipher.Encrypt(rpik, firstInterval.Value, destination, engine);
    }

    internal static void DeriveRollingProximityIdentifiers(
        ReadOnlySpan<byte> teks,
        ReadOnlySpan<IntervalNumber> rollingStarts,
        Span<RollingProximityIdentifier> destination,
        Sha256Engine sha256,
        AesEngine aes)
    {
        if (teks.Length % KeyLength != 0)
        {
            ThrowHelper.ThrowArgument(nameof(teks), $"Keys are {KeyLength} bytes each; {teks.Length} bytes is not a whole number of keys.");
        }

        var count = teks.Length / KeyLength;
        if (rollingStarts.Length != count)
        {
            ThrowHelper.ThrowArgument(nameof(rollingStarts), $"Expected one rolling start per key ({count}), got {rollingStarts.Length}.");
        }

        if (destination.Length != (long)count * IntervalNumber.PerDay)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Expected room for {IntervalNumber.PerDay} identifiers per key ({(long)count * IntervalNumber.PerDay}), got {destination.Length}.");
        }

        // The platform engine reuses one AES object across keys; the intrinsic engines need none.
        using var platformAes = aes == AesEngine.Platform ? PlatformAes.Create() : null;
        Span<byte> rpiks = stackalloc byte[KeysPerBatch * KeyLength];
        try
        {
            for (var start = 0; start < count; start += KeysPerBatch)
            {
                var inBatch = Math.Min(KeysPerBatch, count - start);
                var batchKeys = rpiks[..(inBatch * KeyLength)];
                HkdfBatch.Derive(teks.Slice(start * KeyLength, inBatch * KeyLength), batchKeys, HkdfBatch.RpikInfoSchedule, sha256);
                RollingProximityIdentifierCipher.EncryptDays(
                    batchKeys,
                    rollingStarts.Slice(start, inBatch),
                    destination.Slice(start * IntervalNumber.PerDay, inBatch * IntervalNumber.PerDay),
                    aes,
                    platformAes);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rpiks);
        }
    }

    private static void CheckKeys(ReadOnlySpan<byte> teks, Span<byte> derived, string derivedName)
    {
        if (teks.Length % KeyLength != 0)
        {
            ThrowHelper.ThrowArgument(nameof(teks), $"Keys are {KeyLength} bytes each; {teks.Length} bytes is not a whole number of keys.");
        }

        if (derived.Length != teks.Length)
        {
            ThrowHelper.ThrowArgument(derivedName, $"Expected {teks.Length} bytes for {teks.Length / KeyLength} derived keys, got {derived.Length}.");
        }
    }

    private static string Describe(Sha256Engine engine) => engine switch
    {
        Sha256Engine.Vector512 => "SHA-256 ×16 (AVX-512)",
        Sha256Engine.Vector256 => "SHA-256 ×8 (AVX2)",
        _ => "SHA-256 scalar",
    };

    private static string Describe(AesEngine engine) => engine == AesEngine.AesNi ? "AES-NI" : "platform AES";
}

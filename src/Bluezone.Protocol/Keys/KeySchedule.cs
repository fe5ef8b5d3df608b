using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bluezone.Protocol.Internal;
using Bluezone.Protocol.Time;

namespace Bluezone.Protocol.Keys;

/// <summary>
/// The Exposure Notification key schedule (DESIGN.md §3), one key at a time, on the platform's
/// cryptography. It is the readable reference; <c>RollingProximityIdentifierGenerator</c> computes the
/// same values for many keys at once and is checked against this class.
/// </summary>
public static class KeySchedule
{
    public const int DerivedKeyLength = 16;

    private static readonly byte[] RpikInfo = Encoding.ASCII.GetBytes("EN-RPIK");
    private static readonly byte[] AemkInfo = Encoding.ASCII.GetBytes("EN-AEMK");

    /// <summary>The 6-byte label "EN-RPI" that starts every padded RPI block.</summary>
    internal static ReadOnlySpan<byte> RpiLabel => "EN-RPI"u8;

    /// <summary>RPIK = HKDF-SHA256(TEK, no salt, "EN-RPIK", 16).</summary>
    public static byte[] DeriveRollingProximityIdentifierKey(ReadOnlySpan<byte> tek)
    {
        CheckKey(tek, nameof(tek));
        var rpik = new byte[DerivedKeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, tek, rpik, salt: default, info: RpikInfo);
        return rpik;
    }

    /// <summary>AEMK = HKDF-SHA256(TEK, no salt, "EN-AEMK", 16).</summary>
    public static byte[] DeriveAssociatedEncryptedMetadataKey(ReadOnlySpan<byte> tek)
    {
        CheckKey(tek, nameof(tek));
        var aemk = new byte[DerivedKeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, tek, aemk, salt: default, info: AemkInfo);
        return aemk;
    }

    /// <summary>The padded block "EN-RPI" ‖ 0×6 ‖ uint32-le(interval) that the RPIK encrypts.</summary>
    public static void WritePaddedData(IntervalNumber interval, Span<byte> block)
    {
        RpiLabel.CopyTo(block);
        block.Slice(6, 6).Clear();
        BinaryPrimitives.WriteInt32LittleEndian(block[12..], interval.Value);
    }

    /// <summary>RPI(interval) = AES-128-ECB(RPIK, padded data).</summary>
    public static RollingProximityIdentifier ComputeRollingProximityIdentifier(ReadOnlySpan<byte> rpik, IntervalNumber interval)
    {
        CheckKey(rpik, nameof(rpik));
        using var aes = Aes.Create();
        aes.Key = rpik.ToArray();
        Span<byte> block = stackalloc byte[16];
        WritePaddedData(interval, block);
        aes.EncryptEcb(block, block, PaddingMode.None);
        return RollingProximityIdentifier.FromBytes(block);
    }

    /// <summary>AEM = AES-128-CTR(AEMK, iv = RPI, metadata). Encryption and decryption are the same operation.</summary>
    public static AssociatedEncryptedMetadata EncryptMetadata(ReadOnlySpan<byte> aemk, RollingProximityIdentifier rpi, ReadOnlySpan<byte> metadata)
    {
        CheckKey(aemk, nameof(aemk));
        if (metadata.Length != AssociatedEncryptedMetadata.Length)
        {
            ThrowHelper.ThrowArgument(nameof(metadata), $"Metadata has {AssociatedEncryptedMetadata.Length} bytes, not {metadata.Length}.");
        }

        // CTR mode over four bytes uses only the first keystream block: AES(AEMK, RPI).
        using var aes = Aes.Create();
        aes.Key = aemk.ToArray();
        Span<byte> keystream = stackalloc byte[16];
        rpi.WriteTo(keystream);
        aes.EncryptEcb(keystream, keystream, PaddingMode.None);
        Span<byte> aem = stackalloc byte[AssociatedEncryptedMetadata.Length];
        for (var i = 0; i < aem.Length; i++)
        {
            aem[i] = (byte)(keystream[i] ^ metadata[i]);
        }

        return AssociatedEncryptedMetadata.FromBytes(aem);
    }

    /// <summary>Recovers the metadata plaintext of a matched key's advertisement.</summary>
    public static AdvertisementMetadata DecryptMetadata(ReadOnlySpan<byte> aemk, RollingProximityIdentifier rpi, AssociatedEncryptedMetadata aem)
    {
        Span<byte> bytes = stackalloc byte[AssociatedEncryptedMetadata.Length];
        aem.WriteTo(bytes);
        var plain = EncryptMetadata(aemk, rpi, bytes);
        plain.WriteTo(bytes);
        return AdvertisementMetadata.Decode(bytes);
    }

    private static void CheckKey(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != DerivedKeyLength)
        {
            ThrowHelper.ThrowArgument(name, $"Expected a {DerivedKeyLength}-byte key, got {key.Length} bytes.");
        }
    }
}

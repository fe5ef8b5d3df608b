using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Bluezone.Device.Storage.Internal;

/// <summary>
/// The AES-256-GCM key that seals the phone's own daily keys inside the store. It lives in its own file,
/// created readable and writable by the owner only, so a copy of the database alone reveals no daily key.
/// (On a phone the platform keystore would wrap this file's content; that is the app's part.)
/// </summary>
internal sealed class AtRestKey : IDisposable
{
    public const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private static ReadOnlySpan<byte> Domain => "bluezone-own-tek-v1"u8;

    private readonly AesGcm _aes;

    private AtRestKey(byte[] key)
    {
        _aes = new AesGcm(key, TagLength);
        CryptographicOperations.ZeroMemory(key);
    }

    public static bool Exists(string path) => File.Exists(path);

    public static AtRestKey Open(string path)
    {
        var key = File.ReadAllBytes(path);
        if (key.Length != KeyLength)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new DeviceStoreException($"The key file {path} has {key.Length} bytes, not {KeyLength}: it is damaged; the store was not opened.");
        }

        return new AtRestKey(key);
    }

    public static AtRestKey Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }

        return new AtRestKey(key);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, int rollingStart)
    {
        var sealedBytes = new byte[NonceLength + plaintext.Length + TagLength];
        var nonce = sealedBytes.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> associated = stackalloc byte[Domain.Length + 4];
        WriteAssociatedData(associated, rollingStart);
        _aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceLength, plaintext.Length), sealedBytes.AsSpan(NonceLength + plaintext.Length), associated);
        return sealedBytes;
    }

    /// <summary>Opens a sealed value; the row's rolling start is bound in, so a value moved to another row fails.</summary>
    public byte[] Unseal(ReadOnlySpan<byte> sealedBytes, int rollingStart)
    {
        if (sealedBytes.Length < NonceLength + TagLength)
        {
            throw new CryptographicException("A sealed key is too short.");
        }

        var length = sealedBytes.Length - NonceLength - TagLength;
        var plaintext = new byte[length];
        Span<byte> associated = stackalloc byte[Domain.Length + 4];
        WriteAssociatedData(associated, rollingStart);
        _aes.Decrypt(sealedBytes[..NonceLength], sealedBytes.Slice(NonceLength, length), sealedBytes[(NonceLength + length)..], plaintext, associated);
        return plaintext;
    }

    public void Dispose() => _aes.Dispose();

    private static void WriteAssociatedData(Span<byte> destination, int rollingStart)
    {
        Domain.CopyTo(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[Domain.Length..], rollingStart);
    }
}

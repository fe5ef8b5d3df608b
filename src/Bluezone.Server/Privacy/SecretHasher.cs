using System.Security.Cryptography;
using System.Text;
using Bluezone.Server.Storage;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Privacy;

/// <summary>
/// Keyed hashes (HMAC-SHA256) of codes, tokens and case references: a stolen database alone gives no code
/// that can be redeemed, not even the 8-digit ones that an unkeyed hash would give away by enumeration.
/// Each purpose has its own domain label so a hash of one kind never matches another.
/// </summary>
public sealed class SecretHasher
{
    public const int HashLength = 32;
    private const string KeyFileName = "hmac.key";

    private readonly byte[] _key;

    public SecretHasher(IOptions<PrivacyOptions> privacy, IOptions<StorageOptions> storage)
    {
        _key = string.IsNullOrEmpty(privacy.Value.HmacKey)
            ? LoadOrCreateKeyFile(Path.Combine(storage.Value.DataDirectory, KeyFileName))
            : Convert.FromBase64String(privacy.Value.HmacKey);
    }

    public byte[] Hash(SecretPurpose purpose, string value) => Hash(purpose, Encoding.UTF8.GetBytes(value));

    public byte[] Hash(SecretPurpose purpose, ReadOnlySpan<byte> value)
    {
        var label = Label(purpose);
        var input = new byte[label.Length + 1 + value.Length];
        label.CopyTo(input);
        value.CopyTo(input.AsSpan(label.Length + 1));
        return HMACSHA256.HashData(_key, input);
    }

    private static ReadOnlySpan<byte> Label(SecretPurpose purpose) => purpose switch
    {
        SecretPurpose.ShortCode => "short-code"u8,
        SecretPurpose.LongCode => "long-code"u8,
        SecretPurpose.UploadToken => "upload-token"u8,
        SecretPurpose.CaseReference => "case-reference"u8,
        SecretPurpose.JoinChallenge => "join-challenge"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    private static byte[] LoadOrCreateKeyFile(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length < 32)
            {
                throw new InvalidDataException($"{path} holds {existing.Length} bytes; an HMAC key needs at least 32");
            }

            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs, so both hash alike.
            return LoadOrCreateKeyFile(path);
        }
    }
}

public enum SecretPurpose
{
    ShortCode,
    LongCode,
    UploadToken,
    CaseReference,
    JoinChallenge,
}

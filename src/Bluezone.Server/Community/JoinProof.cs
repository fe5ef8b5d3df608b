using System.Buffers.Text;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;

namespace Bluezone.Server.Community;

/// <summary>
/// The proof of work behind a join. The challenge is the window number and an HMAC of it, so the server checks
/// it without storing anything; the app searches a nonce whose hash with the challenge has enough leading zero bits.
/// </summary>
public static class JoinProof
{
    private const int MacLength = 16;
    public const int ChallengeLength = 8 + MacLength;
    public const int MaxNonceLength = 64;

    private static ReadOnlySpan<byte> Domain => "BZ-JOIN-v1"u8;

    public static byte[] NewChallenge(SecretHasher hasher, long window)
    {
        var challenge = new byte[ChallengeLength];
        BinaryPrimitives.WriteInt64BigEndian(challenge, window);
        hasher.Hash(SecretPurpose.JoinChallenge, challenge.AsSpan(0, 8)).AsSpan(0, MacLength).CopyTo(challenge.AsSpan(8));
        return challenge;
    }

    /// <summary>The digest a proof is judged by (and remembered by, against replay).</summary>
    public static byte[] Digest(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> nonce)
    {
        var input = new byte[Domain.Length + challenge.Length + nonce.Length];
        Domain.CopyTo(input);
        challenge.CopyTo(input.AsSpan(Domain.Length));
        nonce.CopyTo(input.AsSpan(Domain.Length + challenge.Length));
        return SHA256.HashData(input);
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> digest)
    {
        var bits = 0;
        foreach (var b in digest)
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }

    /// <summary>Finds a nonce meeting <paramref name="difficultyBits"/> (what the app does; tests use it too).</summary>
    public static byte[] Solve(ReadOnlySpan<byte> challenge, int difficultyBits)
    {
        var nonce = new byte[8];
        for (ulong counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce, counter);
            if (LeadingZeroBits(Digest(challenge, nonce)) >= difficultyBits)
            {
                return nonce;
            }
        }
    }

    /// <summary>Checks a proof; returns the digest to remember, or the reason it is refused.</summary>
    public static (byte[]? Digest, long Window, ApiError? Error) Check(SecretHasher hasher, JoinRequest request, long currentWindow, int difficultyBits)
    {
        Span<byte> challenge = stackalloc byte[ChallengeLength + 3];
        if (request.Challenge is null || !Base64Url.IsValid(request.Challenge) || Base64Url.DecodeFromChars(request.Challenge, challenge, out _, out var length) != System.Buffers.OperationStatus.Done || length != ChallengeLength)
        {
            return (null, 0, ApiError.BadRequest("join_challenge_invalid", "challenge is not one this server issued."));
        }

        challenge = challenge[..ChallengeLength];
        var window = BinaryPrimitives.ReadInt64BigEndian(challenge);
        var expected = hasher.Hash(SecretPurpose.JoinChallenge, challenge[..8]).AsSpan(0, MacLength);
        if (!CryptographicOperations.FixedTimeEquals(expected, challenge[8..]))
        {
            return (null, 0, ApiError.BadRequest("join_challenge_invalid", "challenge is not one this server issued."));
        }

        if (window > currentWindow || window < currentWindow - 1)
        {
            return (null, 0, ApiError.BadRequest("join_challenge_expired", "challenge has expired; fetch a new one."));
        }

        Span<byte> nonce = stackalloc byte[MaxNonceLength + 3];
        if (request.Nonce is null || request.Nonce.Length > 100 || !Convert.TryFromBase64String(request.Nonce, nonce, out var nonceLength))
        {
            return (null, 0, ApiError.BadRequest("invalid_base64", "nonce is not base64."));
        }

        if (nonceLength is 0 or > MaxNonceLength)
        {
            return (null, 0, ApiError.BadRequest("join_proof_invalid", $"nonce must be 1–{MaxNonceLength} bytes."));
        }

        var digest = Digest(challenge, nonce[..nonceLength]);
        if (LeadingZeroBits(digest) < difficultyBits)
        {
            return (null, 0, ApiError.BadRequest("join_proof_invalid", $"The proof's hash needs {difficultyBits} leading zero bits."));
        }

        return (digest, window, null);
    }
}

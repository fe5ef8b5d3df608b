using System.Buffers.Text;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Bluezone.Protocol.Community;
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

    public static byte[] NewChallenge(SecretHasher hasher, long window)
    {
        var challenge = new byte[ChallengeLength];
        BinaryPrimitives.WriteInt64BigEndian(challenge, window);
        hasher.Hash(SecretPurpose.JoinChallenge, challenge.AsSpan(0, 8)).AsSpan(0, MacLength).CopyTo(challenge.AsSpan(8));
        return challenge;
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

        var digest = JoinProofOfWork.Digest(challenge, nonce[..nonceLength]);
        if (JoinProofOfWork.LeadingZeroBits(digest) < difficultyBits)
        {
            return (null, 0, ApiError.BadRequest("join_proof_invalid", $"The proof's hash needs {difficultyBits} leading zero bits."));
        }

        return (digest, window, null);
    }
}

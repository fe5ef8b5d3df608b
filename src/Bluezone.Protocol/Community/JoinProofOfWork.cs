using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Bluezone.Protocol.Community;

/// <summary>
/// The proof of work a phone attaches to "join the community" (docs/server.md): a nonce such that
/// <c>SHA-256("BZ-JOIN-v1" ‖ challenge ‖ nonce)</c> starts with enough zero bits. It makes inflating the count
/// cost CPU time per join without identifying anyone. One definition for the phone that solves and the
/// server that checks, so the two cannot drift apart.
/// </summary>
public static class JoinProofOfWork
{
    private static ReadOnlySpan<byte> Domain => "BZ-JOIN-v1"u8;

    /// <summary>The digest a proof is judged by.</summary>
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

    public static bool Meets(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> nonce, int difficultyBits) =>
        LeadingZeroBits(Digest(challenge, nonce)) >= difficultyBits;

    /// <summary>Finds a 16-byte nonce meeting <paramref name="difficultyBits"/>.</summary>
    /// <remarks>The nonce starts with 8 random bytes, so two phones solving the same hour's challenge never send the same proof.</remarks>
    public static byte[] Solve(ReadOnlySpan<byte> challenge, int difficultyBits, RandomNumberGenerator? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(difficultyBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficultyBits, 64);
        var input = new byte[Domain.Length + challenge.Length + 16];
        Domain.CopyTo(input);
        challenge.CopyTo(input.AsSpan(Domain.Length));
        var nonce = input.AsSpan(Domain.Length + challenge.Length);
        if (random is null)
        {
            RandomNumberGenerator.Fill(nonce[..8]);
        }
        else
        {
            random.GetBytes(nonce[..8]);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        for (ulong counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce[8..], counter);
            SHA256.HashData(input, digest);
            if (LeadingZeroBits(digest) >= difficultyBits)
            {
                return nonce.ToArray();
            }
        }
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Bluezone.Protocol.Internal;

/// <summary>
/// Uniform integers from a given <see cref="RandomNumberGenerator"/> instance. The static
/// <see cref="RandomNumberGenerator.GetInt32(int)"/> always uses the system source, which would make callers
/// impossible to run deterministically.
/// </summary>
internal static class UniformRandom
{
    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    public static int Next(RandomNumberGenerator random, int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        if (exclusiveMax == 1)
        {
            return 0;
        }

        // Rejection sampling: drop the top partial range of 2^32 so every result is equally likely.
        var range = (uint)exclusiveMax;
        var limit = uint.MaxValue - (uint.MaxValue % range);
        Span<byte> bytes = stackalloc byte[4];
        while (true)
        {
            random.GetBytes(bytes);
            var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            if (value < limit)
            {
                return (int)(value % range);
            }
        }
    }
}

using System.Security.Cryptography;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// The "cryptographic" generator a simulated phone draws its daily keys and addresses from: seeded, so a run is
/// repeatable (the encounter linker breaks ties by identifier, so even key bytes can move a count by one). Never
/// for a real phone: anyone with the seed knows every key.
/// </summary>
internal sealed class SimulationSecrets(int seed) : RandomNumberGenerator
{
    private readonly Random _random = new(seed);

    public override void GetBytes(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _random.NextBytes(data);
    }

    public override void GetBytes(Span<byte> data) => _random.NextBytes(data);

    public override void GetBytes(byte[] data, int offset, int count) => _random.NextBytes(data.AsSpan(offset, count));

    public override void GetNonZeroBytes(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        GetNonZeroBytes(data.AsSpan());
    }

    public override void GetNonZeroBytes(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)_random.Next(1, 256);
        }
    }
}

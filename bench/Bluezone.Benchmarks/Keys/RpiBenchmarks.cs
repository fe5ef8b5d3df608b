using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Keys.Internal;
using Bluezone.Protocol.Time;

namespace Bluezone.Benchmarks.Keys;

/// <summary>The 144 RPIs of one RPIK: AES-128 over the padded blocks. Times are per key (144 blocks).</summary>
[MemoryDiagnoser]
public class RpiBenchmarks
{
    private readonly byte[] _rpik = new byte[16];
    private readonly byte[] _blocks = new byte[IntervalNumber.PerDay * 16];
    private readonly RollingProximityIdentifier[] _rpis = new RollingProximityIdentifier[IntervalNumber.PerDay];
    private readonly IntervalNumber _start = new(2_900_160);
    private Aes _aes = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(2).NextBytes(_rpik);
        _aes = Aes.Create();
        for (var i = 0; i < IntervalNumber.PerDay; i++)
        {
            KeySchedule.WritePaddedData(_start + i, _blocks.AsSpan(i * 16, 16));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _aes.Dispose();

    /// <summary>The best the platform API offers: one ECB call for all 144 blocks (new key each time).</summary>
    [Benchmark(Baseline = true)]
    public byte Platform_EncryptEcb_144_blocks()
    {
        _aes.SetKey(_rpik);
        Span<byte> output = stackalloc byte[IntervalNumber.PerDay * 16];
        _aes.EncryptEcb(_blocks, output, PaddingMode.None);
        return output[^1];
    }

    [Benchmark]
    public void Generator_platform_AES() =>
        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(_rpik, _start, _rpis, AesEngine.Platform);

    [Benchmark]
    public void Generator_AES_NI_x8() =>
        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(_rpik, _start, _rpis, AesEngine.AesNi);
}

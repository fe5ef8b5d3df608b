using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Keys.Internal;

namespace Bluezone.Benchmarks.Keys;

/// <summary>RPIK = HKDF-SHA256(TEK, "EN-RPIK"): the platform one key per call against the batched lanes. Times are per key.</summary>
[MemoryDiagnoser]
public class HkdfBenchmarks
{
    private const int Keys = 1024;
    private static readonly byte[] RpikInfo = "EN-RPIK"u8.ToArray();
    private readonly byte[] _teks = new byte[Keys * 16];
    private readonly byte[] _rpiks = new byte[Keys * 16];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_teks);

    [Benchmark(Baseline = true, OperationsPerInvoke = Keys)]
    public void Platform_HKDF_per_key()
    {
        for (var k = 0; k < Keys; k++)
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, _teks.AsSpan(k * 16, 16), _rpiks.AsSpan(k * 16, 16), salt: default, info: RpikInfo);
        }
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Batched_scalar() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(_teks, _rpiks, Sha256Engine.Scalar);

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Batched_AVX2_x8() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(_teks, _rpiks, Sha256Engine.Vector256);

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Batched_AVX512_x16() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(_teks, _rpiks, Sha256Engine.Vector512);
}

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Keys.Internal;
using Bluezone.Protocol.Time;

namespace Bluezone.Benchmarks.Keys;

/// <summary>A published key to all 144 RPIs of its day (RPIK + AES), as matching does it. Times are per key.</summary>
[MemoryDiagnoser]
public class DayDerivationBenchmarks
{
    private const int Keys = 256;
    private static readonly byte[] RpikInfo = "EN-RPIK"u8.ToArray();
    private readonly byte[] _teks = new byte[Keys * 16];
    private readonly IntervalNumber[] _starts = new IntervalNumber[Keys];
    private readonly RollingProximityIdentifier[] _rpis = new RollingProximityIdentifier[Keys * IntervalNumber.PerDay];
    private readonly byte[] _blocks = new byte[IntervalNumber.PerDay * 16];
    private Aes _aes = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(3).NextBytes(_teks);
        Array.Fill(_starts, new IntervalNumber(2_900_160));
        _aes = Aes.Create();
        for (var i = 0; i < IntervalNumber.PerDay; i++)
        {
            KeySchedule.WritePaddedData(_starts[0] + i, _blocks.AsSpan(i * 16, 16));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _aes.Dispose();

    /// <summary>Platform APIs used well: HKDF.DeriveKey, then one EncryptEcb call for the 144 blocks.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Keys)]
    public void Platform_HKDF_and_EncryptEcb()
    {
        Span<byte> rpik = stackalloc byte[16];
        for (var k = 0; k < Keys; k++)
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, _teks.AsSpan(k * 16, 16), rpik, salt: default, info: RpikInfo);
            _aes.SetKey(rpik);
            _aes.EncryptEcb(_blocks, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_rpis.AsSpan(k * IntervalNumber.PerDay, IntervalNumber.PerDay)), PaddingMode.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Generator_scalar_SHA_platform_AES() => Derive(Sha256Engine.Scalar, AesEngine.Platform);

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Generator_AVX2_AES_NI() => Derive(Sha256Engine.Vector256, AesEngine.AesNi);

    [Benchmark(OperationsPerInvoke = Keys)]
    public void Generator_AVX512_AES_NI() => Derive(Sha256Engine.Vector512, AesEngine.AesNi);

    private void Derive(Sha256Engine sha256, AesEngine aes) =>
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(_teks, _starts, _rpis, sha256, aes);
}

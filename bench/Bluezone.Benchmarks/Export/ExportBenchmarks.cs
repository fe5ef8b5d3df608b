using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Benchmarks.Export;

/// <summary>
/// Cost of writing and reading one export file of a realistic size (Google's servers pad to ≥ 1000 keys;
/// a busy day can publish tens of thousands).
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private ExportBatch _batch = null!;
    private byte[] _bin = null!;
    private byte[] _zip = null!;
    private ECDsa _key = null!;

    [Params(1_000, 50_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var day = IntervalNumber.FirstOfDay(new DateOnly(2026, 11, 20));
        var keys = Enumerable.Range(0, Keys)
            .Select(i => new ExportedKey(TemporaryExposureKey.Generate(day - (IntervalNumber.PerDay * (i % 14))), ReportType.ConfirmedTest, i % 15 - 7))
            .ToList();
        _batch = ExportBatch.Covering("VN", keys, [new ExportSignatureInfo("452", "v1")]);
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _bin = ExportBinFormat.Write(_batch);
        _zip = ExportArchive.Create(_batch, _key);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public byte[] WriteExportBin() => ExportBinFormat.Write(_batch);

    [Benchmark]
    public ExportBatch ReadExportBin() => ExportBinFormat.Read(_bin);

    [Benchmark]
    public byte[] CreateSignedZip() => ExportArchive.Create(_batch, _key);

    [Benchmark]
    public bool ReadAndVerifyZip() => ExportArchive.Read(_zip).Verify(_key);
}

using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Protocol.Tests.Export;

/// <summary>A reproducible random source for tests, so a failing case can be replayed.</summary>
internal sealed class SeededRandom(int seed) : RandomNumberGenerator
{
    private readonly Random _random = new(seed);

    public override void GetBytes(byte[] data) => _random.NextBytes(data);

    public override void GetBytes(Span<byte> data) => _random.NextBytes(data);

    public override void GetNonZeroBytes(byte[] data) => GetNonZeroBytes(data.AsSpan());

    public override void GetNonZeroBytes(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)_random.Next(1, 256);
        }
    }
}

/// <summary>Exports built from random keys, as the server would write them.</summary>
internal static class ExportSamples
{
    public static readonly ExportSignatureInfo Info = new("452", "v1");

    public static List<ExportedKey> RandomKeys(int count, int seed)
    {
        var random = new SeededRandom(seed);
        var firstDay = IntervalNumber.FirstOfDay(new DateOnly(2026, 11, 10));
        var keys = new List<ExportedKey>();
        for (var i = 0; i < count; i++)
        {
            var day = firstDay + (IntervalNumber.PerDay * (i % 14));
            var key = TemporaryExposureKey.Generate(day, random).WithRollingPeriod(i % 5 == 0 ? 100 + i % 44 : IntervalNumber.PerDay);
            var reportType = (ReportType)(1 + (i % 4)); // confirmed test, clinical, self report, recursive
            keys.Add(new ExportedKey(key, reportType, i % 3 == 0 ? null : (i % 29) - 14));
        }

        return keys;
    }

    public static ExportBatch Batch(int count, int seed = 1) => ExportBatch.Covering("VN", RandomKeys(count, seed), [Info]);
}

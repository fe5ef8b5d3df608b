using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>Reads the published exports as a phone does: index, zips, signature check with the served public key.</summary>
public static class PublishedExports
{
    /// <summary>Every key of every live export file, each signature verified, with the file it came from.</summary>
    public static async Task<List<(string File, ExportedKey Key, SignedExport Export)>> DownloadAllAsync(HttpClient http)
    {
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(await http.GetStringAsync("/v1/exports/public-key.pem"));
        var result = new List<(string, ExportedKey, SignedExport)>();
        var index = (await http.GetStringAsync("/v1/exports/index.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in index)
        {
            var bytes = await http.GetByteArrayAsync("/v1/exports/" + name);
            var export = ExportArchive.Read(bytes);
            Assert.True(export.Verify(publicKey), $"the signature of {name} does not verify with the served public key");
            result.AddRange(export.Batch.Keys.Select(k => (name, k, export)));
        }

        return result;
    }

    /// <summary>
    /// Moves the clock a batch interval at a time until the server has put all <paramref name="keys"/> in a batch
    /// (the background publisher wakes on the fake clock); fails after a few real seconds per step. With
    /// <paramref name="reportType"/>, only rows of that report type count (a key may be published in two roles).
    /// </summary>
    public static async Task AdvanceUntilExportedAsync(ServerInstance server, FakeTimeProvider time, IEnumerable<byte[]> keys, int maxBatches = 5, int? reportType = null)
    {
        var wanted = keys.ToList();
        for (var batch = 0; batch < maxBatches; batch++)
        {
            time.Advance(ServerFixture.BatchInterval);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline)
            {
                var exported = await server.QueryAsync(db => db.PublishedKeys.Where(k => k.ExportBatchId != null && (reportType == null || k.ReportType == reportType)).Select(k => k.KeyData).ToListAsync());
                if (wanted.All(w => exported.Any(e => e.AsSpan().SequenceEqual(w))))
                {
                    return;
                }

                await Task.Delay(50);
            }
        }

        Assert.Fail($"the keys were not exported within {maxBatches} batches");
    }
}

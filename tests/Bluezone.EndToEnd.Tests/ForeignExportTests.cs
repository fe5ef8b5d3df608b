using System.Security.Cryptography;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// Exports from another key server: a plain file host (no join, no configuration endpoint) listing its files in
/// a subdirectory, keys without report types (the shared sample from another implementation), signed with that
/// authority's own key, which the phone is given. The phone matches them and warns.
/// </summary>
public sealed class ForeignExportTests : IAsyncLifetime
{
    private const string FileName = "exposureKeyExport-XX/1598486400-1598572800-00001.zip";

    private readonly ECDsa _authority = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private WebApplication? _host;
    private ExportBatch? _batch;

    public async Task InitializeAsync()
    {
        var sample = ExportArchive.Read(await File.ReadAllBytesAsync(SharedData.PathOf("gaen/sample-export.bin")));
        _batch = sample.Batch;
        var zip = ExportArchive.Create(ExportBatch.Covering("XX", [.. _batch.Keys], [new ExportSignatureInfo("other-authority", "v7")]), _authority);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _host = builder.Build();
        _host.MapGet("/v1/exports/index.txt", () => Results.Text(FileName + "\n", "text/plain"));
        _host.MapGet("/v1/exports/" + FileName, () => Results.Bytes(zip, "application/zip"));
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _authority.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_phone_that_heard_one_of_another_servers_keys_is_warned_from_its_export()
    {
        var planted = _batch!.Keys[137];
        Assert.Equal(ReportType.Unknown, planted.ReportType);
        var store = new InMemoryDeviceStore();
        Hear(store, planted, planted.Key.RollingStartIntervalNumber.StartTime.AddMinutes(10), TimeSpan.FromMinutes(20));

        using var api = new ServerApi(new Uri(_host!.Urls.First()), new SyncOptions { MaxRetries = 0 });
        var warnings = new ExposureWarnings(store);
        var sync = new ExposureSync(api, store, warnings, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(51)));
        using var key = await sync.PinPublicKeyAsync(_authority.ExportSubjectPublicKeyInfoPem());
        var result = await sync.SyncAsync(key);

        Assert.Empty(result.Refused);
        Assert.Equal(FileName, Assert.Single(result.Processed).Name);
        Assert.Equal(200, result.Processed[0].Keys);
        Assert.Contains(result.Problems, p => p.StartsWith("join", StringComparison.Ordinal)); // a plain file host
        var day = Assert.Single(store.LoadExposureDays());
        Assert.Equal(planted.Key.KeyData.ToArray(), day.KeyData);
        Assert.True(day.IsRisky);
        Assert.Equal(WarningLevel.F1, result.Status.Level);
        Assert.Equal(planted.Key.Day, result.Status.ExposureDate);
    }

    /// <summary>What the phone's store holds after hearing <paramref name="key"/> close by, one scan every 30 s.</summary>
    private static void Hear(InMemoryDeviceStore store, ExportedKey key, DateTimeOffset from, TimeSpan duration)
    {
        var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key.Key.KeyData);
        var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(key.Key.KeyData);
        for (var t = from; t < from + duration; t += TimeSpan.FromSeconds(30))
        {
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, IntervalNumber.FromTime(t));
            var aem = KeySchedule.EncryptMetadata(aemk, rpi, AdvertisementMetadata.ForTxPower(-24).ToArray());
            var ms = t.ToUnixTimeMilliseconds();
            store.Record(new ScanSummary(ms, ms + 4000, 30, 1, 0, 0), [new ScanInstance(rpi, aem, ms, 52, 50, 30, 1)], []);
        }
    }
}

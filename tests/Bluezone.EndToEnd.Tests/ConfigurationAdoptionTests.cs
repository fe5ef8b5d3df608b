using System.Security.Cryptography;
using Bluezone.Device.Storage;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Export;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// The phone adopts a configuration only if it verifies with the pinned key, is valid, and is not older than the
/// one in use. A small in-test HTTP server plays the configuration endpoint, so each case can serve what a real
/// server never would.
/// </summary>
public sealed class ConfigurationAdoptionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly ExportSignatureInfo Info = new("VN", "452", "v1");

    private readonly ECDsa _authority = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private WebApplication? _app;
    private SignedDeviceConfiguration? _served;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/v1/config", () => Results.Json(_served));
        _app.MapGet("/v1/exports/index.txt", (HttpContext context) =>
        {
            context.Response.Headers.ETag = "\"empty\"";
            return Results.Text("", "text/plain");
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _authority.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Only_a_verified_valid_and_not_older_configuration_is_adopted()
    {
        var store = new InMemoryDeviceStore();
        using var api = new ServerApi(new Uri(_app!.Urls.First()), new SyncOptions { MaxRetries = 0 });
        var sync = new ExposureSync(api, store, new ExposureWarnings(store), new FakeTimeProvider(Issued));
        using var key = await sync.PinPublicKeyAsync(_authority.ExportSubjectPublicKeyInfoPem());

        // A newer, valid, signed one: adopted.
        _served = SignedDeviceConfiguration.Sign(DeviceConfiguration.Default with { IssuedAt = Issued, RiskThresholdMinutes = 10 }, _authority, Info);
        var adopted = await sync.SyncAsync(key);
        Assert.True(adopted.ConfigurationAdopted);
        Assert.Equal(10, StoredConfiguration.Load(store).RiskThresholdMinutes);

        // An older one, validly signed (a replay): kept the newer.
        _served = SignedDeviceConfiguration.Sign(DeviceConfiguration.Default with { IssuedAt = Issued.AddDays(-1), RiskThresholdMinutes = 30 }, _authority, Info);
        Assert.False((await sync.SyncAsync(key)).ConfigurationAdopted);
        Assert.Equal(10, StoredConfiguration.Load(store).RiskThresholdMinutes);

        // A signed but invalid one (thresholds out of order): kept, and the reason reported.
        _served = SignedDeviceConfiguration.Sign(DeviceConfiguration.Default with { IssuedAt = Issued.AddDays(1), AttenuationThresholds = [73, 63, 55] }, _authority, Info);
        var invalid = await sync.SyncAsync(key);
        Assert.False(invalid.ConfigurationAdopted);
        Assert.Contains(invalid.Problems, p => p.Contains("attenuationThresholds", StringComparison.Ordinal));
        Assert.Equal(10, StoredConfiguration.Load(store).RiskThresholdMinutes);

        // A valid one signed by someone else: kept.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _served = SignedDeviceConfiguration.Sign(DeviceConfiguration.Default with { IssuedAt = Issued.AddDays(2), RiskThresholdMinutes = 60 }, stranger, Info);
        var forged = await sync.SyncAsync(key);
        Assert.False(forged.ConfigurationAdopted);
        Assert.Contains(forged.Problems, p => p.Contains("signature", StringComparison.Ordinal));
        Assert.Equal(10, StoredConfiguration.Load(store).RiskThresholdMinutes);

        // The pinned key stays the authority's whatever the server says later.
        Assert.Equal(_authority.ExportSubjectPublicKeyInfoPem().Trim(), store.LoadSyncState().PinnedPublicKeyPem?.Trim());
    }
}

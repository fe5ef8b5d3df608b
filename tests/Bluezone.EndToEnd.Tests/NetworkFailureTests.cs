using System.Net;
using System.Net.Sockets;
using Bluezone.Device.Sync;
using Bluezone.EndToEnd.Tests.Infrastructure;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// Network failures between the phone and the real server: transient ones are retried with backoff; lasting ones
/// are reported, lose nothing, and the next sync carries on.
/// </summary>
public sealed class NetworkFailureTests
{
    private static readonly SyncOptions FastRetries = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxRetries = 3 };

    [Fact]
    public async Task Export_downloads_that_fail_twice_are_retried_and_the_sync_completes()
    {
        await using var world = await ContactWorld.StartAsync();
        using var network = new FailingNetwork(failuresPerExportFile: 2);
        using var api = new ServerApi(world.Server.Address, FastRetries, network);
        var sync = new ExposureSync(api, world.B.Store, world.B.Warnings, world.Town.Time);

        var result = await sync.SyncAsync();

        Assert.True(result.Complete, string.Join("; ", result.Refused.Select(r => r.Reason).Concat(result.Problems)));
        Assert.Equal(world.Index, result.Processed.Select(p => p.Name));
        Assert.All(world.Index, name => Assert.Equal(3, network.Attempts(name)));
        Assert.Equal(Bluezone.Device.Warnings.WarningLevel.F1, world.B.Status.Level);
    }

    [Fact]
    public async Task Export_downloads_that_keep_failing_are_refused_lose_nothing_and_the_next_sync_recovers()
    {
        await using var world = await ContactWorld.StartAsync();
        using var network = new FailingNetwork(failuresPerExportFile: int.MaxValue);
        using var api = new ServerApi(world.Server.Address, FastRetries, network);
        var sync = new ExposureSync(api, world.B.Store, world.B.Warnings, world.Town.Time);

        var result = await sync.SyncAsync();

        Assert.StartsWith("download failed", Assert.Single(result.Refused).Reason, StringComparison.Ordinal);
        Assert.Equal(4, network.Attempts(world.File)); // the first attempt and three retries
        Assert.True(world.B.Store.LoadSyncState().Joined); // what did succeed is kept
        world.AssertUntouched();

        await world.AssertRecoversAsync();
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_changes_nothing()
    {
        await using var world = await ContactWorld.StartAsync();
        await world.AssertRecoversAsync();
        var before = world.B.Store.LoadSyncState();
        var days = world.B.Store.LoadExposureDays();

        using var unreachable = new ServerApi(new Uri($"http://127.0.0.1:{UnusedPort()}/"), FastRetries);
        var result = await new ExposureSync(unreachable, world.B.Store, world.B.Warnings, world.Town.Time).SyncAsync();

        Assert.False(result.Complete);
        Assert.Contains(result.Problems, p => p.StartsWith("configuration kept", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.StartsWith("index", StringComparison.Ordinal));
        var after = world.B.Store.LoadSyncState();
        Assert.Equal(before.IndexETag, after.IndexETag);
        Assert.Equal(before.ConfigurationJson, after.ConfigurationJson);
        Assert.Equal(before.ProcessedFiles, after.ProcessedFiles);
        Assert.Equal(days.Count, world.B.Store.LoadExposureDays().Count);
        Assert.Equal(Bluezone.Device.Warnings.WarningLevel.F1, result.Status.Level);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The real network, except that the first N requests for each export zip fail as a dropped connection would.</summary>
    private sealed class FailingNetwork(int failuresPerExportFile) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly Dictionary<string, int> _attempts = [];

        public int Attempts(string file)
        {
            lock (_attempts)
            {
                return _attempts.GetValueOrDefault(file);
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var name = request.RequestUri!.Segments[^1];
            if (name.EndsWith(".zip", StringComparison.Ordinal))
            {
                int attempt;
                lock (_attempts)
                {
                    attempt = _attempts[name] = _attempts.GetValueOrDefault(name) + 1;
                }

                if (attempt <= failuresPerExportFile)
                {
                    throw new HttpRequestException("connection reset (injected)", new IOException("connection reset by peer"));
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

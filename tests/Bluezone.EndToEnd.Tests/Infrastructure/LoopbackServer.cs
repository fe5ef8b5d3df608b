using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Bluezone.Protocol.Contacts;
using Bluezone.Server;
using Bluezone.Server.Storage;
using Bluezone.Server.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real server, hosted as <c>bluezone server</c> hosts it, on 127.0.0.1 with a free port and an SQLite file,
/// its clock a <see cref="FakeTimeProvider"/> that the scenario moves along with the phones' simulated time.
/// Batches every minute, padded to a few keys, so an export follows an upload within one step of the clock.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMinutes(1);

    private readonly WebApplication _app;
    private readonly string _directory;

    private LoopbackServer(WebApplication app, string directory, FakeTimeProvider time, string apiKey)
    {
        _app = app;
        _directory = directory;
        Time = time;
        ApiKey = apiKey;
        Address = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = Address };
    }

    public Uri Address { get; }

    public FakeTimeProvider Time { get; }

    public string ApiKey { get; }

    /// <summary>A plain client for the authority's calls and for reading the index.</summary>
    public HttpClient Http { get; }

    public static async Task<LoopbackServer> StartAsync(DateTimeOffset now)
    {
        var directory = Directory.CreateTempSubdirectory("bluezone-e2e-server-").FullName;
        var time = new FakeTimeProvider(now);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bluezone:Storage:DataDirectory"] = directory,
            ["Bluezone:Storage:Database"] = "sqlite:" + Path.Combine(directory, "bluezone.db"),
            ["Bluezone:Exports:BatchInterval"] = BatchInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Bluezone:Exports:MinKeys"] = "5",
            ["Bluezone:Exports:PaddingJitter"] = "2",
            ["Bluezone:Exports:PollInterval"] = "00:00:01",
            ["Bluezone:Exports:LeaseDuration"] = "00:00:05",
            ["Bluezone:Community:DifficultyBits"] = "6",
            ["Bluezone:Privacy:VerifyPermitLimit"] = "10000",
            ["Bluezone:Privacy:PublishPermitLimit"] = "10000",
            ["Bluezone:Privacy:JoinPermitLimit"] = "10000",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddServerServices();
        var app = builder.Build();
        app.MapServerApi();
        await app.StartAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var apiKey = await scope.ServiceProvider.GetRequiredService<ApiKeys>().CreateAsync("end-to-end authority", CancellationToken.None);
        return new LoopbackServer(app, directory, time, apiKey);
    }

    /// <summary>Moves the server's clock forward to <paramref name="now"/> (never back).</summary>
    public void MoveTo(DateTimeOffset now)
    {
        if (now > Time.GetUtcNow())
        {
            Time.SetUtcNow(now);
        }
    }

    /// <summary>The health authority enters a confirmed case; returns the 8-digit code.</summary>
    public async Task<string> IssueCodeAsync(DateOnly testDate, DateOnly? onset = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authority/codes")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["caseRef"] = "case-" + Guid.NewGuid().ToString("N")[..8],
                ["testDate"] = testDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["symptomOnsetDate"] = onset?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["reportType"] = "confirmed",
            }),
        };
        request.Headers.Add("X-API-Key", ApiKey);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return (string)JsonNode.Parse(body)!["code"]!;
    }

    public async Task<string[]> IndexAsync() =>
        (await Http.GetStringAsync("/v1/exports/index.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Steps the clock a batch interval at a time until the index lists more than <paramref name="filesBefore"/>
    /// files (the publisher runs on the fake clock); returns the new index.
    /// </summary>
    public async Task<string[]> AwaitNextExportAsync(int filesBefore, int maxBatches = 30)
    {
        for (var step = 0; step < maxBatches; step++)
        {
            Time.Advance(BatchInterval);
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (DateTime.UtcNow < deadline)
            {
                var index = await IndexAsync();
                if (index.Length > filesBefore)
                {
                    return index;
                }

                await Task.Delay(25);
            }
        }

        Assert.Fail($"no new export file within {maxBatches} batches");
        return [];
    }

    /// <summary>Replaces a stored export file's bytes (a tampered CDN copy, a truncated download); returns the original.</summary>
    public async Task<byte[]> ReplaceExportFileAsync(string name, Func<byte[], byte[]> change)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<BluezoneDbContext>>().CreateDbContextAsync();
        var file = await db.ExportFiles.SingleAsync(f => f.Name == name);
        var original = file.Content;
        file.Content = change(original);
        await db.SaveChangesAsync();
        return original;
    }

    /// <summary>Every heard token the server stored from F0 uploads (to hold against what the consent summary promised).</summary>
    public async Task<List<HeardToken>> HeardTokensAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<BluezoneDbContext>>().CreateDbContextAsync();
        var rows = await db.HeardTokens.Select(t => new { t.High, t.Low }).ToListAsync();
        return [.. rows.Select(t => new HeardToken(unchecked((ulong)t.High), unchecked((ulong)t.Low)))];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the system cleans temp later.
        }
    }
}

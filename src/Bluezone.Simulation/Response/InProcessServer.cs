using System.Globalization;
using System.Net.Http.Json;
using Bluezone.Server;
using Bluezone.Server.Exports;
using Bluezone.Server.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bluezone.Simulation.Response;

/// <summary>
/// The real server, hosted as <c>bluezone server</c> hosts it (Kestrel on 127.0.0.1, SQLite in a temporary
/// directory), on the simulation's clock. Phones and the authority reach it over HTTP only. The background
/// publisher and retention loops are left out: the simulator publishes the due batch itself at each sync, so
/// what a phone downloads does not depend on how fast the machine is.
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private InProcessServer(WebApplication app, string directory, Uri address, string apiKey)
    {
        _app = app;
        _directory = directory;
        Address = address;
        AuthorityKey = apiKey;
        Authority = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    /// <summary>The API key the simulated health authority uses.</summary>
    public string AuthorityKey { get; }

    /// <summary>The authority's own HTTP client (its system, not a phone).</summary>
    public HttpClient Authority { get; }

    public static async Task<InProcessServer> StartAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("bluezone-sim-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bluezone:Storage:DataDirectory"] = directory,
            ["Bluezone:Storage:Database"] = "sqlite:" + Path.Combine(directory, "bluezone.db"),
            ["Bluezone:Exports:BatchInterval"] = "01:00:00",

            // Padding keys protect real uploaders in a small batch; a simulation needs none, and every padding
            // key would be derived and matched by every phone.
            ["Bluezone:Exports:MinKeys"] = "0",
            ["Bluezone:Exports:PaddingJitter"] = "0",

            // Every phone of the city shares one loopback address.
            ["Bluezone:Privacy:VerifyPermitLimit"] = "100000",
            ["Bluezone:Privacy:PublishPermitLimit"] = "100000",
            ["Bluezone:Privacy:JoinPermitLimit"] = "100000",
            ["Bluezone:Privacy:AuthorityPermitLimit"] = "100000",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(clock);
        builder.AddServerServices();
        foreach (var background in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name is "ExportPublishingService" or "RetentionService").ToList())
        {
            builder.Services.Remove(background);
        }

        var app = builder.Build();
        app.MapServerApi();
        await app.StartAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var apiKey = await scope.ServiceProvider.GetRequiredService<ApiKeys>().CreateAsync("simulated health authority", cancellationToken);
        return new InProcessServer(app, directory, new Uri(app.Urls.First()), apiKey);
    }

    /// <summary>Publishes the batch due at the clock's now (what the background publisher does every period).</summary>
    public Task<int> PublishDueAsync(CancellationToken cancellationToken) =>
        _app.Services.GetRequiredService<ExportPublisher>().PublishDueAsync(cancellationToken);

    /// <summary>The authority enters a confirmed case and gets the one-time code (POST /v1/authority/codes).</summary>
    public async Task<string> IssueCodeAsync(int caseNumber, DateOnly testDate, DateOnly? onset, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/authority/codes")
        {
            Content = JsonContent.Create(new
            {
                caseRef = "sim-" + caseNumber.ToString(CultureInfo.InvariantCulture),
                testDate = testDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                symptomOnsetDate = onset?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                reportType = "confirmed",
            }),
        };
        request.Headers.Add(ApiKeys.Header, AuthorityKey);
        using var response = await Authority.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<IssueCodeResponse>(cancellationToken);
        if (!response.IsSuccessStatusCode || body is null)
        {
            throw new InvalidOperationException($"The server refused the authority's code request: {(int)response.StatusCode}.");
        }

        return body.Code;
    }

    public async ValueTask DisposeAsync()
    {
        Authority.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

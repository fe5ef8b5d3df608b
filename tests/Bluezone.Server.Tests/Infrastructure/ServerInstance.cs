using Bluezone.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>
/// One real server: Kestrel on 127.0.0.1 with a free port, hosted exactly as <c>bluezone server</c> hosts it
/// (<c>AddServerServices</c> + <c>MapServerApi</c>), with the clock supplied by the test.
/// </summary>
public sealed class ServerInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerInstance(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ServerInstance> StartAsync(IDictionary<string, string?> settings, TimeProvider time, ILoggerProvider? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton(time);
        builder.AddServerServices();
        var app = builder.Build();
        app.MapServerApi();
        await app.StartAsync();
        return new ServerInstance(app, new Uri(app.Urls.First()));
    }

    /// <summary>Runs a query on the server's own database (to count rows the API does not expose).</summary>
    public async Task<T> QueryAsync<T>(Func<BluezoneDbContext, Task<T>> query)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<BluezoneDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

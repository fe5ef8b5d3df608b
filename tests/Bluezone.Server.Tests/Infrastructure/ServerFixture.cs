using Bluezone.Server.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>
/// A server on a fresh database, shared by the tests of one class. Its clock is a <see cref="FakeTimeProvider"/>
/// the tests move forward (code expiry, held keys, batches), starting at the real present.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMinutes(1);
    public const int MinExportKeys = 20;
    public const int JoinDifficultyBits = 8;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("bluezone-data-").FullName;
    private TestDatabase? _database;
    private ServerInstance? _server;

    protected abstract bool Postgres { get; }

    /// <summary>Overrides for this fixture's settings.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture has not started.");

    public ServerInstance Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public HttpClient Client => Server.Client;

    public string ApiKey { get; private set; } = "";

    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bluezone:Storage:DataDirectory"] = _dataDirectory,
            ["Bluezone:Storage:Database"] = Database.Setting,
            ["Bluezone:Exports:BatchInterval"] = BatchInterval.ToString("c"),
            ["Bluezone:Exports:MinKeys"] = MinExportKeys.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bluezone:Exports:PaddingJitter"] = "5",
            ["Bluezone:Exports:PollInterval"] = "00:00:01",
            ["Bluezone:Exports:LeaseDuration"] = "00:00:05",
            ["Bluezone:Community:DifficultyBits"] = JoinDifficultyBits.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // The concurrency probes send 50 requests from one address; the limiter has its own test.
            ["Bluezone:Privacy:VerifyPermitLimit"] = "10000",
            ["Bluezone:Privacy:PublishPermitLimit"] = "10000",
            ["Bluezone:Privacy:JoinPermitLimit"] = "10000",
        };
        Configure(settings);
        return settings;
    }

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Postgres);
        _server = await ServerInstance.StartAsync(Settings(), Time);
        await using var scope = _server.Services.CreateAsyncScope();
        ApiKey = await scope.ServiceProvider.GetRequiredService<ApiKeys>().CreateAsync("test authority", CancellationToken.None);
    }

    /// <summary>Starts another instance on the same database and data directory (same HMAC and signing keys).</summary>
    public Task<ServerInstance> StartAnotherInstanceAsync() => ServerInstance.StartAsync(Settings(), Time);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SqliteServerFixture : ServerFixture
{
    protected override bool Postgres => false;
}

public sealed class PostgresServerFixture : ServerFixture
{
    protected override bool Postgres => true;
}

/// <summary>A server whose verify limit is small, to see the limiter refuse.</summary>
public sealed class RateLimitedServerFixture : ServerFixture
{
    public const int VerifyPermits = 3;

    protected override bool Postgres => false;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Bluezone:Privacy:VerifyPermitLimit"] = VerifyPermits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Bluezone:Privacy:RateLimitWindow"] = "01:00:00";
    }
}

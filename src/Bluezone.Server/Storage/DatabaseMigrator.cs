using Bluezone.Server.Exports;
using Bluezone.Server.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bluezone.Server.Storage;

/// <summary>
/// Brings the database to the current schema before anything else starts. Several instances starting at
/// once on PostgreSQL are safe: EF Core takes a migration lock.
/// </summary>
internal sealed partial class DatabaseMigrator(IServiceProvider services, DatabaseLocation location, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Load the secrets now, so a missing or bad key file stops the start instead of failing the first request.
        services.GetRequiredService<SecretHasher>();
        services.GetRequiredService<ExportSigningKey>();
        await MigrateAsync(services, location, cancellationToken);
        LogMigrated(logger, location.ToString());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task MigrateAsync(IServiceProvider services, DatabaseLocation location, CancellationToken cancellationToken)
    {
        if (location.SqliteFile is { } file && Path.GetDirectoryName(file) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BluezoneDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (location.Provider == DatabaseProvider.Sqlite)
        {
            // Readers do not block the writer and the writer does not block readers.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready: {Database}")]
    private static partial void LogMigrated(ILogger logger, string database);
}

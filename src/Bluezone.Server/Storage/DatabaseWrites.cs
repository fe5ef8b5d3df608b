using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bluezone.Server.Storage;

/// <summary>
/// Runs a unit of work in one database transaction that commits only when the work says so: a request that
/// fails stores nothing. SQLite allows one writer at a time, so on SQLite this process's writers queue here
/// instead of spinning on the file lock; PostgreSQL runs them in parallel and single use is enforced by
/// conditional updates inside the work.
/// </summary>
public sealed class DatabaseWrites(DatabaseLocation location)
{
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public async Task<T> RunAsync<T>(BluezoneDbContext db, Func<CancellationToken, Task<(T Value, bool Commit)>> work, CancellationToken cancellationToken)
    {
        var serialise = location.Provider == DatabaseProvider.Sqlite;
        if (serialise)
        {
            await _sqliteWriter.WaitAsync(cancellationToken);
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var (value, commit) = await work(cancellationToken);
            if (commit)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken);
            }

            return value;
        }
        finally
        {
            db.ChangeTracker.Clear();
            if (serialise)
            {
                _sqliteWriter.Release();
            }
        }
    }

    /// <summary>Whether saving failed on a unique index (the same key, code or proof stored twice).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };
}

using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bluezone.Server.Storage;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where the data lives: parsed from <c>sqlite:PATH</c> or <c>postgres:CONNECTION_STRING</c>.</summary>
public sealed record DatabaseLocation(DatabaseProvider Provider, string ConnectionString)
{
    public const string SqliteMigrationsAssembly = "Bluezone.Server.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Bluezone.Server.Migrations.Postgres";

    public string MigrationsAssembly => Provider == DatabaseProvider.Sqlite ? SqliteMigrationsAssembly : PostgresMigrationsAssembly;

    /// <summary>Parses the <c>--database</c> value; empty means the SQLite file under the data directory.</summary>
    public static DatabaseLocation Parse(string? database, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return Sqlite(Path.Combine(dataDirectory, "bluezone.db"));
        }

        if (database.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = database["sqlite:".Length..].Trim();
            if (path.Length == 0)
            {
                throw new FormatException("--database sqlite: needs a file path, e.g. sqlite:./bluezone.db");
            }

            return Sqlite(path);
        }

        if (database.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = database["postgres:".Length..].Trim();
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                if (string.IsNullOrEmpty(builder.Host))
                {
                    throw new FormatException("--database postgres: the connection string names no Host");
                }

                return new(DatabaseProvider.Postgres, builder.ConnectionString);
            }
            catch (ArgumentException)
            {
                // The builder's message may quote the string, which can hold a password: say only what is wrong.
                throw new FormatException("--database postgres: the connection string is not valid (expected Host=…;Username=…;Database=…)");
            }
        }

        throw new FormatException("--database must be sqlite:PATH or postgres:CONNECTION_STRING");
    }

    public static DatabaseLocation Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            ForeignKeys = true,
            Pooling = true,

            // Writers wait for each other (busy timeout) instead of failing at once.
            DefaultTimeout = 30,
        };
        return new(DatabaseProvider.Sqlite, builder.ConnectionString);
    }

    /// <summary>Where the SQLite file is, to create its directory; null for PostgreSQL.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>Never prints the connection string: it may hold a password.</summary>
    public override string ToString() => Provider == DatabaseProvider.Sqlite ? $"SQLite {SqliteFile}" : "PostgreSQL";
}

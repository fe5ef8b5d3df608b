using Npgsql;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>A fresh, empty database for one fixture, removed afterwards.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    /// <summary>The value of <c>--database</c> / <c>Bluezone:Storage:Database</c>.</summary>
    public abstract string Setting { get; }

    public abstract ValueTask DisposeAsync();

    public static async Task<TestDatabase> CreateAsync(bool postgres) =>
        postgres ? await PostgresTestDatabase.CreateAsync() : new SqliteTestDatabase();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bluezone-test-").FullName;

    public override string Setting => "sqlite:" + Path.Combine(_directory, "bluezone.db");

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a closing connection: the temp directory is cleaned by the system later.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A database with a unique name on the PostgreSQL server that ./test.sh starts. Without that server the tests
/// fail (they must not pass silently on a machine that never ran them against PostgreSQL).
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    public const string Variable = "BLUEZONE_TEST_POSTGRES";

    private readonly string _admin;
    private readonly string _name;
    private readonly string _connectionString;

    private PostgresTestDatabase(string admin, string name)
    {
        _admin = admin;
        _name = name;
        _connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 60 }.ConnectionString;
    }

    public override string Setting => "postgres:" + _connectionString;

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL half of the server tests cannot run. Run ./test.sh, which starts a " +
                $"private PostgreSQL and sets {Variable} to a superuser connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres).");
        }

        var database = new PostgresTestDatabase(admin, "bluezone_test_" + Guid.NewGuid().ToString("N")[..16]);
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Bluezone.Cli.Tests.Server;

public sealed class ServerCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("bluezone-cli-server-").FullName;

    [Fact]
    public void Apikey_create_prints_the_key_once_as_the_last_word_and_stores_only_its_hash()
    {
        var (exit, output, error) = Run("server", "apikey", "create", "--name", "Bộ Y tế", "--data", _data);
        Assert.True(exit == 0, error);
        var key = output.Trim().Split(' ').Last();
        Assert.StartsWith("bzk_", key);

        var database = Path.Combine(_data, "bluezone.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"Name\", \"KeyHash\" FROM api_keys";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal("Bộ Y tế", reader.GetString(0));
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), (byte[])reader[1]);
            Assert.False(reader.Read());
        }

        // The key itself is nowhere in the database files.
        foreach (var file in Directory.GetFiles(_data, "bluezone.db*"))
        {
            Assert.DoesNotContain(key, Encoding.Latin1.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }

        // A second key is a different key.
        var second = Run("server", "apikey", "create", "--name", "lab", "--data", _data).Output.Trim().Split(' ').Last();
        Assert.NotEqual(key, second);
    }

    [Theory]
    [InlineData("--batch-interval", "00:00:00.5", "BatchInterval")]
    [InlineData("--min-export-keys", "-1", "MinKeys")]
    [InlineData("--database", "mysql:localhost", "sqlite:PATH or postgres:CONNECTION_STRING")]
    [InlineData("--database", "postgres:Host=;Password=secret", "connection string")]
    public void Server_refuses_bad_settings_at_start_with_a_clear_message_and_exit_code_2(string option, string value, string expected)
    {
        var (exit, _, error) = Run("server", "--data", _data, "--urls", "http://127.0.0.1:0", option, value);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_file_that_does_not_exist_stops_the_server_with_exit_code_2()
    {
        var (exit, _, error) = Run("server", "--data", _data, "--urls", "http://127.0.0.1:0", "--signing-key", Path.Combine(_data, "missing.pem"));
        Assert.Equal(2, exit);
        Assert.Contains("missing.pem", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }
}

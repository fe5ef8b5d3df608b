using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Bluezone.Server.Storage;

/// <summary>
/// Stores an F0's heard tokens (up to 50,000) inside the current transaction without the change tracker, which
/// takes tens of seconds for that many rows: binary COPY on PostgreSQL, one prepared INSERT reused on SQLite.
/// </summary>
internal static class HeardTokenBulkInsert
{
    public static async Task InsertAsync(BluezoneDbContext db, long setId, IReadOnlyCollection<(long High, long Low)> tokens, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(StoredHeardToken))!;
        var table = entity.GetTableName()!;
        var setColumn = entity.FindProperty(nameof(StoredHeardToken.SetId))!.GetColumnName();
        var highColumn = entity.FindProperty(nameof(StoredHeardToken.High))!.GetColumnName();
        var lowColumn = entity.FindProperty(nameof(StoredHeardToken.Low))!.GetColumnName();
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection npgsql)
        {
            await using var import = await npgsql.BeginBinaryImportAsync(
                $"COPY \"{table}\" (\"{setColumn}\", \"{highColumn}\", \"{lowColumn}\") FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var (high, low) in tokens)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(setId, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(high, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(low, NpgsqlDbType.Bigint, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO \"{table}\" (\"{setColumn}\", \"{highColumn}\", \"{lowColumn}\") VALUES ($set, $high, $low)";
        var set = Parameter(command, "$set", setId);
        var highParameter = Parameter(command, "$high", 0L);
        var lowParameter = Parameter(command, "$low", 0L);
        await command.PrepareAsync(cancellationToken);
        foreach (var (high, low) in tokens)
        {
            highParameter.Value = high;
            lowParameter.Value = low;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        GC.KeepAlive(set);
    }

    private static DbParameter Parameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

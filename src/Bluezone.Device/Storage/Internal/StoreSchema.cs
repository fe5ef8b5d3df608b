using Microsoft.Data.Sqlite;

namespace Bluezone.Device.Storage.Internal;

/// <summary>
/// The schema, as an ordered list of migrations; <c>PRAGMA user_version</c> records how many have run.
/// A migration is never edited once released: a change is a new entry. Nothing here holds a location, an
/// address of another device or a name.
/// </summary>
internal static class StoreSchema
{
    /// <summary><c>PRAGMA application_id</c>: "BZDV", so a Bluezone store is told from any other SQLite file.</summary>
    public const int ApplicationId = 0x425A4456;

    private static readonly string[][] Migrations =
    [
        // 1: own keys, scan instances, encounter-days, scans.
        [
            """
            CREATE TABLE own_keys(
                rolling_start INTEGER PRIMARY KEY,  -- interval number of the key's first interval
                rolling_period INTEGER NOT NULL,
                day INTEGER NOT NULL,               -- UTC day (days since 1970-01-01)
                sealed BLOB NOT NULL                -- AES-256-GCM: nonce(12) ‖ ciphertext(16) ‖ tag(16)
            )
            """,
            """
            CREATE TABLE scan_instances(
                day INTEGER NOT NULL,
                scan_start_ms INTEGER NOT NULL,     -- unix milliseconds
                rpi BLOB NOT NULL,                  -- 16 bytes, as heard
                aem BLOB NOT NULL,                  -- 4 bytes, decryptable only with the sender's published key
                typical_attenuation INTEGER NOT NULL,
                min_attenuation INTEGER NOT NULL,
                seconds INTEGER NOT NULL,           -- seconds since the previous scan, capped
                encounter_id INTEGER NOT NULL
            )
            """,
            "CREATE INDEX scan_instances_by_day ON scan_instances(day)",
            """
            CREATE TABLE encounters(
                id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                kind INTEGER NOT NULL,              -- 1 Bluezone phone, 2 other device, 3 other device at close range
                first_ms INTEGER NOT NULL,
                last_ms INTEGER NOT NULL,
                seconds INTEGER NOT NULL,
                close_seconds INTEGER NOT NULL,
                rpis INTEGER NOT NULL,
                PRIMARY KEY(day, id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE scans(
                day INTEGER NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                seconds INTEGER NOT NULL,
                bluezone_rpis INTEGER NOT NULL,
                other_devices INTEGER NOT NULL,     -- a count: addresses are never stored
                other_close_devices INTEGER NOT NULL
            )
            """,
            "CREATE INDEX scans_by_day ON scans(day)",
        ],

        // 2: sync with the server, scored exposure days, own uploads.
        [
            """
            CREATE TABLE sync_state(
                name TEXT PRIMARY KEY,              -- joined, index_etag, configuration, public_key, pending_*
                value TEXT NOT NULL
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE processed_exports(
                name TEXT PRIMARY KEY,              -- export file name as listed in index.txt
                processed_ms INTEGER NOT NULL
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE exposure_days(
                key BLOB NOT NULL,                  -- the published key (public: it came from an export)
                rolling_start INTEGER NOT NULL,
                day INTEGER NOT NULL,               -- UTC day of the exposure
                report_type INTEGER NOT NULL,
                weighted_minutes REAL NOT NULL,
                risky INTEGER NOT NULL,
                PRIMARY KEY(key, rolling_start, day)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE own_reports(
                report_type INTEGER NOT NULL,       -- 1/2 confirmed (F0), 4 recursive (as an F1)
                day INTEGER NOT NULL,
                uploaded_ms INTEGER NOT NULL
            )
            """,
        ],
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>Runs the migrations the file lacks, each in its own transaction with its version bump.</summary>
    public static void Migrate(SqliteConnection connection, int fromVersion)
    {
        for (var version = fromVersion; version < Migrations.Length; version++)
        {
            using var transaction = connection.BeginTransaction();
            foreach (var sql in Migrations[version])
            {
                Execute(connection, transaction, sql);
            }

            Execute(connection, transaction, $"PRAGMA application_id = {ApplicationId}");
            Execute(connection, transaction, $"PRAGMA user_version = {version + 1}");
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

using System.Globalization;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Export;
using Microsoft.Data.Sqlite;

namespace Bluezone.Device.Storage;

/// <summary>The sync state, exposure days and own uploads (schema migration 2).</summary>
public sealed partial class DeviceStore
{
    private const string Joined = "joined";
    private const string IndexETag = "index_etag";
    private const string Configuration = "configuration";
    private const string PublicKey = "public_key";
    private const string PendingToken = "pending_token";
    private const string PendingReportType = "pending_report_type";
    private const string PendingTestDate = "pending_test_date";
    private const string PendingOnset = "pending_onset";
    private const string PendingExpires = "pending_expires";

    public SyncState LoadSyncState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = StateValues();
        var processed = new HashSet<string>(StringComparer.Ordinal);
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM processed_exports";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                processed.Add(reader.GetString(0));
            }
        }

        return new SyncState(values.ContainsKey(Joined), values.GetValueOrDefault(IndexETag), values.GetValueOrDefault(Configuration), values.GetValueOrDefault(PublicKey), processed);
    }

    public void SaveJoined() => InTransaction(t => SetState(t, Joined, "1"));

    public void SavePinnedPublicKey(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        InTransaction(t => SetState(t, PublicKey, pem));
    }

    public void SaveConfiguration(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        InTransaction(t => SetState(t, Configuration, json));
    }

    public void SaveIndex(string? etag, IReadOnlyCollection<string> liveFiles)
    {
        ArgumentNullException.ThrowIfNull(liveFiles);
        InTransaction(t =>
        {
            if (etag is null)
            {
                Run(t, "DELETE FROM sync_state WHERE name = $name", ("$name", IndexETag));
            }
            else
            {
                SetState(t, IndexETag, etag);
            }

            var live = liveFiles.ToHashSet(StringComparer.Ordinal);
            var stale = new List<string>();
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = t;
                command.CommandText = "SELECT name FROM processed_exports";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    if (!live.Contains(reader.GetString(0)))
                    {
                        stale.Add(reader.GetString(0));
                    }
                }
            }

            foreach (var name in stale)
            {
                Run(t, "DELETE FROM processed_exports WHERE name = $name", ("$name", name));
            }
        });
    }

    public void RecordProcessedExport(string fileName, IReadOnlyList<RecordedExposureDay> days, DateTimeOffset processedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(days);
        InTransaction(t =>
        {
            foreach (var day in days)
            {
                // One row per (key, rolling start, day): a key listed in two files scores its day once, and the score
                // that warns more is kept (a key published RECURSIVE, then CONFIRMED_TEST, warns as F1).
                if (RecordedDay(t, day.KeyData, day.RollingStart, day.Day) is { } recorded && !day.Outranks(recorded))
                {
                    continue;
                }

                Run(
                    t,
                    """
                    INSERT OR REPLACE INTO exposure_days(key, rolling_start, day, report_type, weighted_minutes, risky)
                    VALUES ($key, $start, $day, $type, $minutes, $risky)
                    """,
                    ("$key", day.KeyData),
                    ("$start", day.RollingStart),
                    ("$day", UnixDay(day.Day)),
                    ("$type", (int)day.ReportType),
                    ("$minutes", day.WeightedMinutes),
                    ("$risky", day.IsRisky ? 1 : 0));
            }

            Run(t, "INSERT OR REPLACE INTO processed_exports(name, processed_ms) VALUES ($name, $ms)", ("$name", fileName), ("$ms", processedAt.ToUnixTimeMilliseconds()));
        });
    }

    public IReadOnlyList<RecordedExposureDay> LoadExposureDays()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, rolling_start, day, report_type, weighted_minutes, risky FROM exposure_days ORDER BY day, key";
        using var reader = command.ExecuteReader();
        var days = new List<RecordedExposureDay>();
        while (reader.Read())
        {
            days.Add(ReadExposureDay(reader));
        }

        return days;
    }

    public void RecordOwnReport(OwnReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        InTransaction(t =>
        {
            Run(t, "INSERT INTO own_reports(report_type, day, uploaded_ms) VALUES ($type, $day, $ms)", ("$type", (int)report.ReportType), ("$day", UnixDay(report.Day)), ("$ms", report.UploadedAt.ToUnixTimeMilliseconds()));
            ClearPending(t);
        });
    }

    public IReadOnlyList<OwnReport> LoadOwnReports()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT report_type, day, uploaded_ms FROM own_reports ORDER BY uploaded_ms";
        using var reader = command.ExecuteReader();
        var reports = new List<OwnReport>();
        while (reader.Read())
        {
            reports.Add(new OwnReport((ReportType)reader.GetInt32(0), DayFromUnixDay(reader.GetInt32(1)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return reports;
    }

    public void SavePendingUpload(PendingUpload? pending) => InTransaction(t =>
    {
        ClearPending(t);
        if (pending is not null)
        {
            SetState(t, PendingToken, pending.Token);
            SetState(t, PendingReportType, ((int)pending.ReportType).ToString(CultureInfo.InvariantCulture));
            SetState(t, PendingTestDate, pending.TestDate.ToString("O", CultureInfo.InvariantCulture));
            if (pending.SymptomOnsetDate is { } onset)
            {
                SetState(t, PendingOnset, onset.ToString("O", CultureInfo.InvariantCulture));
            }

            SetState(t, PendingExpires, pending.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        }
    });

    public PendingUpload? LoadPendingUpload()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = StateValues();
        if (!values.TryGetValue(PendingToken, out var token))
        {
            return null;
        }

        return new PendingUpload(
            token,
            (ReportType)int.Parse(values[PendingReportType], CultureInfo.InvariantCulture),
            DateOnly.ParseExact(values[PendingTestDate], "O", CultureInfo.InvariantCulture),
            values.TryGetValue(PendingOnset, out var onset) ? DateOnly.ParseExact(onset, "O", CultureInfo.InvariantCulture) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(values[PendingExpires], CultureInfo.InvariantCulture)));
    }

    private static DateOnly DayFromUnixDay(int unixDay) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + unixDay);

    private void ClearPending(SqliteTransaction t)
    {
        foreach (var name in (ReadOnlySpan<string>)[PendingToken, PendingReportType, PendingTestDate, PendingOnset, PendingExpires])
        {
            Run(t, "DELETE FROM sync_state WHERE name = $name", ("$name", name));
        }
    }

    private Dictionary<string, string> StateValues()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name, value FROM sync_state";
        using var reader = command.ExecuteReader();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            values[reader.GetString(0)] = reader.GetString(1);
        }

        return values;
    }

    private RecordedExposureDay? RecordedDay(SqliteTransaction t, byte[] key, int rollingStart, DateOnly day)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = t;
        command.CommandText = """
            SELECT key, rolling_start, day, report_type, weighted_minutes, risky FROM exposure_days
            WHERE key = $key AND rolling_start = $start AND day = $day
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$start", rollingStart);
        command.Parameters.AddWithValue("$day", UnixDay(day));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadExposureDay(reader) : null;
    }

    private static RecordedExposureDay ReadExposureDay(SqliteDataReader reader)
    {
        var type = reader.GetInt32(3);
        return new RecordedExposureDay(
            (byte[])reader[0],
            reader.GetInt32(1),
            DayFromUnixDay(reader.GetInt32(2)),
            Enum.IsDefined((ReportType)type) ? (ReportType)type : ReportType.Unknown,
            reader.GetDouble(4),
            reader.GetInt32(5) != 0);
    }

    private void SetState(SqliteTransaction t, string name, string value) =>
        Run(t, "INSERT OR REPLACE INTO sync_state(name, value) VALUES ($name, $value)", ("$name", name), ("$value", value));

    private void InTransaction(Action<SqliteTransaction> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var transaction = _connection.BeginTransaction();
        work(transaction);
        transaction.Commit();
    }

    private void Run(SqliteTransaction t, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = t;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}

using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Bluezone.Device.Encounters;
using Bluezone.Device.History;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage.Internal;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Microsoft.Data.Sqlite;

namespace Bluezone.Device.Storage;

/// <summary>
/// One phone's local store: an SQLite file <c>NAME.db</c> in a data directory, with its at-rest key in
/// <c>NAME.key</c> beside it. Own daily keys are sealed with AES-GCM; scan instances, encounter-days and
/// per-scan counts are kept for <see cref="RetentionDays"/> days. Writes are buffered and written in one
/// transaction per batch with prepared commands. A damaged file is reported (<see cref="DeviceStoreException"/>)
/// and never reused or replaced silently. Not thread-safe: one device core drives it.
/// </summary>
public sealed partial class DeviceStore : IDeviceStore, IDisposable
{
    /// <summary>Days kept, today included (DESIGN.md §7: 14 days).</summary>
    public const int RetentionDays = 14;

    private const long MsPerDay = 86_400_000;

    private readonly string _databasePath;
    private readonly string _keyPath;
    private readonly int _batchRows;
    private SqliteConnection _connection = null!;
    private AtRestKey _atRestKey = null!;
    private PreparedWrites _writes = null!;

    private readonly List<ScanInstance> _pendingInstances = [];
    private readonly List<ScanSummary> _pendingScans = [];
    private readonly Dictionary<(long Id, int Day), EncounterDay> _pendingEncounters = [];
    private long _nextEncounterId;
    private bool _disposed;

    private DeviceStore(string databasePath, string keyPath, int batchRows)
    {
        _databasePath = databasePath;
        _keyPath = keyPath;
        _batchRows = batchRows;
    }

    public string DatabasePath => _databasePath;

    public string KeyPath => _keyPath;

    public long NextEncounterId => _nextEncounterId;

    /// <summary>Rows waiting to be written.</summary>
    public int PendingRows => _pendingInstances.Count + _pendingScans.Count + _pendingEncounters.Count;

    /// <summary>
    /// Opens (or creates) the store <paramref name="name"/> in <paramref name="dataDirectory"/>. Throws
    /// <see cref="DeviceStoreException"/> if the file is damaged, truncated, foreign or from a newer version.
    /// </summary>
    /// <param name="batchRows">Buffered rows that trigger a write; the host may also <see cref="Flush"/> at any time.</param>
    public static DeviceStore Open(string dataDirectory, string name = "device", int batchRows = 8192)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A store name is a plain file name without dots, not '{name}'.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        Directory.CreateDirectory(dataDirectory);
        var store = new DeviceStore(Path.Combine(dataDirectory, name + ".db"), Path.Combine(dataDirectory, name + ".key"), batchRows);
        try
        {
            store.OpenFiles();
            return store;
        }
        catch
        {
            store.CloseFiles();
            throw;
        }
    }

    public void Record(in ScanSummary scan, ReadOnlySpan<ScanInstance> instances, ReadOnlySpan<EncounterDay> encounters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pendingScans.Add(scan);
        _pendingInstances.AddRange(instances);
        foreach (var encounter in encounters)
        {
            _pendingEncounters[(encounter.EncounterId, encounter.UnixDay)] = encounter;
            _nextEncounterId = Math.Max(_nextEncounterId, encounter.EncounterId + 1);
        }

        if (PendingRows >= _batchRows)
        {
            Flush();
        }
    }

    /// <summary>Writes everything buffered in one transaction.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (PendingRows == 0)
        {
            return;
        }

        using (var transaction = _connection.BeginTransaction())
        {
            _writes.Enlist(transaction);
            foreach (var instance in CollectionsMarshal.AsSpan(_pendingInstances))
            {
                _writes.InsertInstance(instance);
            }

            foreach (var encounter in _pendingEncounters.Values)
            {
                _writes.UpsertEncounter(encounter);
            }

            foreach (var scan in CollectionsMarshal.AsSpan(_pendingScans))
            {
                _writes.InsertScan(scan);
            }

            transaction.Commit();
        }

        _pendingInstances.Clear();
        _pendingEncounters.Clear();
        _pendingScans.Clear();
    }

    /// <summary>Drops buffered rows without writing them (a replay that failed part-way stores nothing).</summary>
    public void DiscardPending()
    {
        _pendingInstances.Clear();
        _pendingEncounters.Clear();
        _pendingScans.Clear();
        _nextEncounterId = QueryLong("SELECT coalesce(max(id), 0) + 1 FROM encounters");
    }

    public IReadOnlyList<TemporaryExposureKey> LoadOwnKeys()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT rolling_start, rolling_period, sealed FROM own_keys ORDER BY rolling_start";
        using var reader = command.ExecuteReader();
        var keys = new List<TemporaryExposureKey>();
        while (reader.Read())
        {
            var start = reader.GetInt32(0);
            byte[] keyData;
            try
            {
                keyData = _atRestKey.Unseal((byte[])reader[2], start);
            }
            catch (CryptographicException e)
            {
                throw new DeviceStoreException($"An own key in {_databasePath} cannot be decrypted with {_keyPath} (wrong or damaged key file, or a damaged row); the store was not used.", e);
            }

            keys.Add(new TemporaryExposureKey(keyData, new IntervalNumber(start), reader.GetInt32(1)));
            CryptographicOperations.ZeroMemory(keyData);
        }

        return keys;
    }

    public void SaveOwnKey(TemporaryExposureKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var start = key.RollingStartIntervalNumber.Value;
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO own_keys(rolling_start, rolling_period, day, sealed) VALUES ($start, $period, $day, $sealed)";
        command.Parameters.AddWithValue("$start", start);
        command.Parameters.AddWithValue("$period", key.RollingPeriod);
        command.Parameters.AddWithValue("$day", UnixDay(key.Day));
        command.Parameters.AddWithValue("$sealed", _atRestKey.Seal(key.KeyData, start));
        command.ExecuteNonQuery();
    }

    /// <summary>The history of one UTC day, from the stored encounter-days.</summary>
    public DayHistory History(DateOnly date, HistoryOptions? options = null)
    {
        options ??= new HistoryOptions();
        options.Validate();
        Flush();
        var day = UnixDay(date);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT kind, count(*), coalesce(sum(close_seconds >= $close), 0) FROM encounters WHERE day = $day GROUP BY kind";
        command.Parameters.AddWithValue("$day", day);
        command.Parameters.AddWithValue("$close", (int)Math.Ceiling(options.CloseContactDuration.TotalSeconds));
        int bluezone = 0, bluezoneClose = 0, other = 0, otherClose = 0;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var count = reader.GetInt32(1);
                var close = reader.GetInt32(2);
                switch ((EncounterKind)reader.GetInt32(0))
                {
                    case EncounterKind.Bluezone:
                        bluezone = count;
                        bluezoneClose = close;
                        break;
                    case EncounterKind.OtherDevice:
                        other = count;
                        break;
                    case EncounterKind.OtherCloseDevice:
                        otherClose = close;
                        break;
                }
            }
        }

        var distinctRpis = (int)QueryLong("SELECT count(DISTINCT rpi) FROM scan_instances WHERE day = $day", ("$day", day));
        return new DayHistory(date, new ContactCount(bluezone + other, bluezone), new ContactCount(bluezoneClose + otherClose, bluezoneClose), bluezone, distinctRpis);
    }

    /// <summary>The UTC days that have at least one scan stored, oldest first.</summary>
    public IReadOnlyList<DateOnly> Days()
    {
        Flush();
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT day FROM scans ORDER BY day";
        using var reader = command.ExecuteReader();
        var days = new List<DateOnly>();
        while (reader.Read())
        {
            days.Add(DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + reader.GetInt32(0)));
        }

        return days;
    }

    /// <summary>Every stored scan instance, for matching against published keys.</summary>
    public IReadOnlyList<ScanInstance> LoadScanInstances()
    {
        Flush();
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT rpi, aem, scan_start_ms, typical_attenuation, min_attenuation, seconds, encounter_id FROM scan_instances";
        using var reader = command.ExecuteReader();
        var instances = new List<ScanInstance>();
        Span<byte> rpi = stackalloc byte[RollingProximityIdentifier.Length];
        Span<byte> aem = stackalloc byte[AssociatedEncryptedMetadata.Length];
        while (reader.Read())
        {
            if (reader.GetBytes(0, 0, null, 0, 0) != rpi.Length || reader.GetBytes(1, 0, null, 0, 0) != aem.Length)
            {
                throw new DeviceStoreException($"{_databasePath}: a stored scan instance has a malformed identifier; the store is damaged");
            }

            reader.GetStream(0).ReadExactly(rpi);
            reader.GetStream(1).ReadExactly(aem);
            instances.Add(new ScanInstance(
                RollingProximityIdentifier.FromBytes(rpi),
                AssociatedEncryptedMetadata.FromBytes(aem),
                reader.GetInt64(2),
                (byte)reader.GetInt32(3),
                (byte)reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetInt64(6)));
        }

        return instances;
    }

    /// <summary>Counts the rows of each table (diagnostics, benchmarks and tests).</summary>
    public (long OwnKeys, long ScanInstances, long Encounters, long Scans) CountRows()
    {
        Flush();
        return (QueryLong("SELECT count(*) FROM own_keys"), QueryLong("SELECT count(*) FROM scan_instances"), QueryLong("SELECT count(*) FROM encounters"), QueryLong("SELECT count(*) FROM scans"));
    }

    /// <summary>
    /// Deletes everything older than the retention: with <paramref name="today"/> as day 14, day 1 stays and
    /// the day before it goes. Deleted rows are overwritten (<c>secure_delete</c>), not just unlinked.
    /// </summary>
    public int Purge(DateOnly today)
    {
        Flush();
        var oldestKept = UnixDay(today) - (RetentionDays - 1);
        var deleted = 0;
        using var transaction = _connection.BeginTransaction();
        foreach (var table in (ReadOnlySpan<string>)["own_keys", "scan_instances", "encounters", "scans", "exposure_days", "own_reports"])
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"DELETE FROM {table} WHERE day < $oldest";
            command.Parameters.AddWithValue("$oldest", oldestKept);
            deleted += command.ExecuteNonQuery();
        }

        transaction.Commit();
        return deleted;
    }

    /// <summary>
    /// "Delete all my data": closes the store, deletes the database, its journal files and the key file, and
    /// starts an empty store with a new key. Nothing of the old store can be read afterwards.
    /// </summary>
    public void DeleteAllData()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pendingInstances.Clear();
        _pendingEncounters.Clear();
        _pendingScans.Clear();
        CloseFiles();
        foreach (var path in (ReadOnlySpan<string>)[_databasePath, _databasePath + "-wal", _databasePath + "-shm", _databasePath + "-journal", _keyPath])
        {
            File.Delete(path);
        }

        OpenFiles();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Flush();
        }
        finally
        {
            _disposed = true;
            CloseFiles();
        }
    }

    internal static int UnixDay(DateOnly date) => date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    internal static int UnixDay(long unixMs) => (int)(unixMs / MsPerDay);

    private void OpenFiles()
    {
        var existed = File.Exists(_databasePath) && new FileInfo(_databasePath).Length > 0;
        if (File.Exists(_databasePath) && StoreFileCheck.Problem(_databasePath) is { } problem)
        {
            throw Damaged(problem);
        }

        try
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = _databasePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false, // the file must be really closed on dispose and on wipe
            }.ToString());
            _connection.Open();
            var version = (int)QueryLong("PRAGMA user_version");
            if (existed)
            {
                CheckExisting(version);
            }

            Execute("PRAGMA journal_mode = WAL");
            Execute("PRAGMA synchronous = NORMAL");
            Execute("PRAGMA secure_delete = ON");
            StoreSchema.Migrate(_connection, version);
        }
        catch (SqliteException e)
        {
            throw Damaged(e.Message, e);
        }

        var hasKeys = QueryLong("SELECT count(*) FROM own_keys") > 0;
        if (AtRestKey.Exists(_keyPath))
        {
            _atRestKey = AtRestKey.Open(_keyPath);
        }
        else if (hasKeys)
        {
            throw new DeviceStoreException($"The key file {_keyPath} is missing but {_databasePath} holds sealed keys; the store was not opened.");
        }
        else
        {
            _atRestKey = AtRestKey.Create(_keyPath);
        }

        _writes = new PreparedWrites(_connection);
        _nextEncounterId = QueryLong("SELECT coalesce(max(id), 0) + 1 FROM encounters");
    }

    private void CheckExisting(int version)
    {
        var applicationId = (int)QueryLong("PRAGMA application_id");
        if (applicationId != StoreSchema.ApplicationId)
        {
            throw Damaged("it is an SQLite database but not a Bluezone device store");
        }

        if (version > StoreSchema.CurrentVersion)
        {
            throw new DeviceStoreException($"The store {_databasePath} has schema version {version}, newer than this app's {StoreSchema.CurrentVersion}; it was not opened.");
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        using var reader = command.ExecuteReader();
        var findings = new List<string>();
        while (reader.Read() && findings.Count < 3)
        {
            findings.Add(reader.GetString(0));
        }

        if (findings is not ["ok"])
        {
            throw Damaged("quick_check: " + string.Join("; ", findings));
        }
    }

    private DeviceStoreException Damaged(string problem, Exception? inner = null) =>
        new($"The store {_databasePath} is damaged: {problem}. It was not opened or changed; restore it or delete all data to start again.", inner!);

    private void CloseFiles()
    {
        _writes?.Dispose();
        _writes = null!;
        _connection?.Dispose();
        _connection = null!;
        _atRestKey?.Dispose();
        _atRestKey = null!;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long QueryLong(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The insert and upsert commands, prepared once and rebound per row.</summary>
    private sealed class PreparedWrites : IDisposable
    {
        private readonly SqliteCommand _instance;
        private readonly SqliteCommand _encounter;
        private readonly SqliteCommand _scan;
        private readonly SqliteParameter[] _i;
        private readonly SqliteParameter[] _e;
        private readonly SqliteParameter[] _s;
        private readonly byte[] _rpi = new byte[RollingProximityIdentifier.Length];
        private readonly byte[] _aem = new byte[AssociatedEncryptedMetadata.Length];

        public PreparedWrites(SqliteConnection connection)
        {
            (_instance, _i) = Create(connection, "INSERT INTO scan_instances(day, scan_start_ms, rpi, aem, typical_attenuation, min_attenuation, seconds, encounter_id) VALUES ($0, $1, $2, $3, $4, $5, $6, $7)", 8);
            (_encounter, _e) = Create(connection, "INSERT OR REPLACE INTO encounters(id, day, kind, first_ms, last_ms, seconds, close_seconds, rpis) VALUES ($0, $1, $2, $3, $4, $5, $6, $7)", 8);
            (_scan, _s) = Create(connection, "INSERT INTO scans(day, start_ms, end_ms, seconds, bluezone_rpis, other_devices, other_close_devices) VALUES ($0, $1, $2, $3, $4, $5, $6)", 7);
        }

        public void Enlist(SqliteTransaction transaction)
        {
            _instance.Transaction = transaction;
            _encounter.Transaction = transaction;
            _scan.Transaction = transaction;
        }

        public void InsertInstance(in ScanInstance instance)
        {
            // The blob buffers are reused: SQLite copies bound blobs when the statement runs.
            instance.Rpi.WriteTo(_rpi);
            instance.Aem.WriteTo(_aem);
            _i[0].Value = UnixDay(instance.ScanStartUnixMs);
            _i[1].Value = instance.ScanStartUnixMs;
            _i[2].Value = _rpi;
            _i[3].Value = _aem;
            _i[4].Value = (int)instance.TypicalAttenuation;
            _i[5].Value = (int)instance.MinAttenuation;
            _i[6].Value = instance.SecondsSinceLastScan;
            _i[7].Value = instance.EncounterId;
            _instance.ExecuteNonQuery();
        }

        public void UpsertEncounter(in EncounterDay encounter)
        {
            _e[0].Value = encounter.EncounterId;
            _e[1].Value = encounter.UnixDay;
            _e[2].Value = (int)encounter.Kind;
            _e[3].Value = encounter.FirstUnixMs;
            _e[4].Value = encounter.LastUnixMs;
            _e[5].Value = encounter.Seconds;
            _e[6].Value = encounter.CloseSeconds;
            _e[7].Value = encounter.Rpis;
            _encounter.ExecuteNonQuery();
        }

        public void InsertScan(in ScanSummary scan)
        {
            _s[0].Value = UnixDay(scan.StartUnixMs);
            _s[1].Value = scan.StartUnixMs;
            _s[2].Value = scan.EndUnixMs;
            _s[3].Value = scan.SecondsSinceLastScan;
            _s[4].Value = scan.BluezoneRpis;
            _s[5].Value = scan.OtherDevices;
            _s[6].Value = scan.OtherCloseDevices;
            _scan.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _instance.Dispose();
            _encounter.Dispose();
            _scan.Dispose();
        }

        private static (SqliteCommand, SqliteParameter[]) Create(SqliteConnection connection, string sql, int count)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameters = new SqliteParameter[count];
            for (var i = 0; i < count; i++)
            {
                parameters[i] = command.Parameters.Add("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i is 2 or 3 && sql.StartsWith("INSERT INTO scan_instances", StringComparison.Ordinal) ? SqliteType.Blob : SqliteType.Integer);
            }

            command.Prepare();
            return (command, parameters);
        }
    }
}

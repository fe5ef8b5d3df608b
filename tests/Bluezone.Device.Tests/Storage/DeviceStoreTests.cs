using Bluezone.Device.Encounters;
using Bluezone.Device.Sightings;
using Bluezone.Device.Storage;
using Bluezone.Device.Tests.Support;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Microsoft.Data.Sqlite;

namespace Bluezone.Device.Tests.Storage;

/// <summary>The SQLite store on real files: retention, wipe, damage detection, keys sealed at rest.</summary>
public sealed class DeviceStoreTests : IDisposable
{
    private static readonly DateOnly Day1 = new(2026, 11, 1);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Retention_keeps_fourteen_days_and_purges_the_fifteenth_day_back()
    {
        using var store = DeviceStore.Open(_directory.Path);
        var random = new SeededRandomNumberGenerator(1);
        for (var d = 0; d < 15; d++)
        {
            var day = Day1.AddDays(d);
            store.SaveOwnKey(TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(day), random));
            RecordEncounter(store, day, d + 1);
        }

        var today = Day1.AddDays(14); // day 15
        var deleted = store.Purge(today);

        Assert.Equal(4, deleted); // day 1: one key, one scan instance, one encounter-day, one scan
        Assert.Equal(14, store.LoadOwnKeys().Count);
        Assert.DoesNotContain(store.LoadOwnKeys(), k => k.Day == Day1);
        Assert.Equal(0, store.History(Day1).Encounters);
        Assert.Equal(1, store.History(Day1.AddDays(1)).Encounters);
        Assert.Equal(1, store.History(today).Encounters);
        Assert.Equal(Day1.AddDays(1), store.Days()[0]);
    }

    [Fact]
    public void Own_keys_are_not_readable_as_plain_bytes_in_the_store_files()
    {
        var key = TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(Day1), new SeededRandomNumberGenerator(2));
        using (var store = DeviceStore.Open(_directory.Path))
        {
            store.SaveOwnKey(key);
            Assert.Equal(key, store.LoadOwnKeys().Single());
            AssertNotIn(key.KeyData, _directory.Path); // while open: database and write-ahead log
        }

        AssertNotIn(key.KeyData, _directory.Path);
        using var reopened = DeviceStore.Open(_directory.Path);
        Assert.Equal(key, reopened.LoadOwnKeys().Single());
    }

    [Fact]
    public void The_at_rest_key_file_is_readable_by_its_owner_only()
    {
        using var store = DeviceStore.Open(_directory.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.KeyPath));
        }

        Assert.Equal(32, new FileInfo(store.KeyPath).Length);
    }

    [Fact]
    public void A_store_without_its_key_file_is_reported_not_silently_rekeyed()
    {
        using (var store = DeviceStore.Open(_directory.Path))
        {
            store.SaveOwnKey(TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(Day1)));
        }

        File.Delete(_directory.File("device.key"));
        var error = Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));
        Assert.Contains("key file", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_directory.File("device.key")));
    }

    [Fact]
    public void Delete_all_my_data_removes_the_log_the_keys_and_the_key_file()
    {
        var key = TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(Day1), new SeededRandomNumberGenerator(3));
        using var store = DeviceStore.Open(_directory.Path);
        store.SaveOwnKey(key);
        RecordEncounter(store, Day1, 1);
        store.Flush();
        var oldKeyFile = File.ReadAllBytes(store.KeyPath);

        store.DeleteAllData();

        Assert.Empty(store.LoadOwnKeys());
        Assert.Equal((0L, 0L, 0L, 0L), store.CountRows());
        Assert.Equal(0, store.History(Day1).Contacts.People);
        Assert.NotEqual(oldKeyFile, File.ReadAllBytes(store.KeyPath));
        AssertNotIn(key.KeyData, _directory.Path);
        AssertNotIn(oldKeyFile, _directory.Path);

        // The emptied store keeps working.
        RecordEncounter(store, Day1, 2);
        Assert.Equal(1, store.History(Day1).Encounters);
    }

    [Fact]
    public void A_store_left_open_by_a_crash_opens_with_everything_it_had_flushed()
    {
        var key = TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(Day1), new SeededRandomNumberGenerator(4));
        using var crashed = new TempDirectory();
        using (var store = DeviceStore.Open(_directory.Path))
        {
            store.SaveOwnKey(key);
            RecordEncounter(store, Day1, 7);

            // The files as they are on disk while the store is still open: database, write-ahead log, key.
            foreach (var file in Directory.GetFiles(_directory.Path))
            {
                using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = File.Create(crashed.File(Path.GetFileName(file)));
                source.CopyTo(copy);
            }
        }

        File.Delete(crashed.File("device.db-shm"));
        using var reopened = DeviceStore.Open(crashed.Path);
        Assert.Equal(key, reopened.LoadOwnKeys().Single());
        Assert.Equal(1, reopened.History(Day1).Encounters);
    }

    [Fact]
    public void A_truncated_store_file_is_reported_and_left_untouched()
    {
        FillStore();
        var path = _directory.File("device.db");
        var original = File.ReadAllBytes(path);
        File.WriteAllBytes(path, original.AsSpan(0, original.Length / 2 + 100).ToArray());
        var damaged = File.ReadAllBytes(path);

        var error = Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_store_truncated_at_a_page_boundary_is_reported()
    {
        FillStore();
        var path = _directory.File("device.db");
        var original = File.ReadAllBytes(path);
        File.WriteAllBytes(path, original.AsSpan(0, 4096 * 3).ToArray());

        Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));
    }

    [Fact]
    public void A_store_with_damaged_pages_is_reported_by_the_integrity_check()
    {
        FillStore();
        var path = _directory.File("device.db");
        var bytes = File.ReadAllBytes(path);
        // Scribble over the middle of the file, leaving the header alone.
        new Random(5).NextBytes(bytes.AsSpan(bytes.Length / 2, 4096));
        bytes.AsSpan(4096 + 8, 2000).Fill(0xFF);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_file_that_is_not_a_Bluezone_store_is_refused()
    {
        File.WriteAllText(_directory.File("device.db"), new string('x', 5000));
        Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));

        File.Delete(_directory.File("device.db"));
        using (var other = new SqliteConnection($"Data Source={_directory.File("device.db")};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('mine')";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));
        Assert.Contains("not a Bluezone device store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_from_a_newer_version_is_refused()
    {
        FillStore();
        using (var connection = new SqliteConnection($"Data Source={_directory.File("device.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<DeviceStoreException>(() => DeviceStore.Open(_directory.Path));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_is_versioned_and_holds_no_location()
    {
        using (var store = DeviceStore.Open(_directory.Path))
        {
            RecordEncounter(store, Day1, 1);
        }

        using var connection = new SqliteConnection($"Data Source={_directory.File("device.db")};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal(2L, command.ExecuteScalar());
        command.CommandText = "SELECT group_concat(name) FROM (SELECT p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table')";
        var columns = ((string)command.ExecuteScalar()!).Split(',');
        Assert.Contains("rpi", columns);
        Assert.DoesNotContain(columns, c => c.Contains("lat", StringComparison.Ordinal) || c.Contains("lon", StringComparison.Ordinal) || c.Contains("location", StringComparison.Ordinal) || c.Contains("address", StringComparison.Ordinal));
    }

    [Fact]
    public void A_store_reopened_continues_encounter_ids_after_the_stored_ones()
    {
        long first;
        using (var store = DeviceStore.Open(_directory.Path))
        {
            RecordEncounter(store, Day1, 41);
            first = store.NextEncounterId;
        }

        using var reopened = DeviceStore.Open(_directory.Path);
        Assert.Equal(42, first);
        Assert.Equal(42, reopened.NextEncounterId);
    }

    private void FillStore()
    {
        using var store = DeviceStore.Open(_directory.Path);
        for (var i = 0; i < 3000; i++)
        {
            RecordEncounter(store, Day1, i + 1);
        }
    }

    private static void RecordEncounter(DeviceStore store, DateOnly day, long id)
    {
        var ms = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero).ToUnixTimeMilliseconds() + id;
        var rpi = new RollingProximityIdentifier((ulong)id, (ulong)ms);
        var unixDay = day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        store.Record(
            new ScanSummary(ms, ms + 4000, 255, 1, 0, 0),
            [new ScanInstance(rpi, new AssociatedEncryptedMetadata(7), ms, 50, 48, 255, id)],
            [new EncounterDay(id, unixDay, EncounterKind.Bluezone, ms, ms + 4000, 255, 255, 1)]);
        store.Flush();
    }

    private static void AssertNotIn(ReadOnlySpan<byte> secret, string directory)
    {
        foreach (var file in Directory.GetFiles(directory))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            if (Path.GetFileName(file).EndsWith(".key", StringComparison.Ordinal))
            {
                continue; // the at-rest key itself (checked separately where it matters)
            }

            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"secret bytes found in {Path.GetFileName(file)}");
        }
    }
}

using Bluezone.Device.Storage;
using Bluezone.Device.Tests.Support;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Export;
using Microsoft.Data.Sqlite;

namespace Bluezone.Device.Tests.Storage;

/// <summary>
/// Sync state, exposure days and own uploads in both stores (SQLite on a real file, and the simulator's memory):
/// the same rules, in particular that a day is never counted twice when its key comes in two files.
/// </summary>
public sealed class ExposureStoreTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 20);
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public static TheoryData<string> Stores => new() { "sqlite", "memory" };

    public void Dispose() => _directory.Dispose();

    [Theory]
    [MemberData(nameof(Stores))]
    public void A_key_listed_in_two_files_scores_its_day_once(string kind)
    {
        var store = Open(kind);
        try
        {
            var key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
            store.RecordProcessedExport("1-2-00001.zip", [new RecordedExposureDay(key, 100, Day, ReportType.ConfirmedTest, 12, false)], Now);
            store.RecordProcessedExport("2-3-00001.zip", [new RecordedExposureDay([.. key], 100, Day, ReportType.ConfirmedTest, 21, true)], Now);
            store.RecordProcessedExport("3-4-00001.zip", [new RecordedExposureDay([.. key], 100, Day, ReportType.ConfirmedTest, 18, true)], Now);

            var day = Assert.Single(store.LoadExposureDays());
            Assert.Equal(21, day.WeightedMinutes);
            Assert.True(day.IsRisky);
            Assert.Equal(["1-2-00001.zip", "2-3-00001.zip", "3-4-00001.zip"], store.LoadSyncState().ProcessedFiles.Order(StringComparer.Ordinal));
            Assert.Equal(new WarningStatus(WarningLevel.F1, Day, Day, ReportType.ConfirmedTest), ExposureWarnings.Compute(store));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void The_highest_level_wins_and_the_event_fires_only_when_it_rises(string kind)
    {
        var store = Open(kind);
        try
        {
            var warnings = new ExposureWarnings(store);
            var raised = new List<WarningLevel>();
            warnings.WarningRaised += (_, e) => raised.Add(e.Current.Level);

            store.RecordProcessedExport("a.zip", [Exposure(1, Day, ReportType.ConfirmedTest, risky: false)], Now);
            Assert.Equal(WarningLevel.Safe, warnings.Refresh().Level);

            store.RecordProcessedExport("b.zip", [Exposure(2, Day.AddDays(1), ReportType.Recursive, risky: true)], Now);
            Assert.Equal(new WarningStatus(WarningLevel.F2, Day.AddDays(1), Day.AddDays(1), ReportType.Recursive), warnings.Refresh());

            store.RecordProcessedExport("c.zip", [Exposure(3, Day, ReportType.ConfirmedClinicalDiagnosis, risky: true), Exposure(4, Day.AddDays(2), ReportType.ConfirmedTest, risky: true)], Now);
            Assert.Equal(new WarningStatus(WarningLevel.F1, Day.AddDays(2), Day, ReportType.ConfirmedTest), warnings.Refresh());

            // A later recursive key does not lower an F1; an own confirmed upload makes the phone F0.
            store.RecordProcessedExport("d.zip", [Exposure(5, Day.AddDays(3), ReportType.Recursive, risky: true)], Now);
            Assert.Equal(WarningLevel.F1, warnings.Refresh().Level);
            store.RecordOwnReport(new OwnReport(ReportType.Recursive, Day, Now));
            Assert.Equal(WarningLevel.F1, warnings.Refresh().Level);
            store.RecordOwnReport(new OwnReport(ReportType.ConfirmedTest, Day.AddDays(2), Now));
            Assert.Equal(new WarningStatus(WarningLevel.F0, Day.AddDays(2), Day.AddDays(2), ReportType.ConfirmedTest), warnings.Refresh());

            // Unknown, self-report and revoked keys never warn, however long the contact.
            Assert.Equal(WarningLevel.Safe, Exposure(6, Day, ReportType.Revoked, risky: true).Level);
            Assert.Equal(WarningLevel.Safe, Exposure(7, Day, ReportType.SelfReport, risky: true).Level);
            Assert.Equal([WarningLevel.F2, WarningLevel.F1, WarningLevel.F0], raised);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void A_key_published_recursive_then_confirmed_counts_its_day_once_at_the_higher_level(string kind)
    {
        var store = Open(kind);
        try
        {
            var warnings = new ExposureWarnings(store);
            var raised = new List<WarningLevel>();
            warnings.WarningRaised += (_, e) => raised.Add(e.Current.Level);

            // The key's owner uploaded it as an F1: this phone is F2. The owner then tests positive and the same key
            // comes again as CONFIRMED_TEST, with a smaller score (days since onset now known): the day becomes F1.
            var key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
            store.RecordProcessedExport("1-2-00001.zip", [new RecordedExposureDay(key, 100, Day, ReportType.Recursive, 30, true)], Now);
            Assert.Equal(WarningLevel.F2, warnings.Refresh().Level);
            store.RecordProcessedExport("2-3-00001.zip", [new RecordedExposureDay([.. key], 100, Day, ReportType.ConfirmedTest, 16, true)], Now);
            var day = Assert.Single(store.LoadExposureDays());
            Assert.Equal((ReportType.ConfirmedTest, 16.0, true), (day.ReportType, day.WeightedMinutes, day.IsRisky));
            Assert.Equal(new WarningStatus(WarningLevel.F1, Day, Day, ReportType.ConfirmedTest), warnings.Refresh());

            // The recursive copy again (a file processed late) does not take the day back down to F2.
            store.RecordProcessedExport("0-1-00001.zip", [new RecordedExposureDay([.. key], 100, Day, ReportType.Recursive, 40, true)], Now);
            Assert.Equal(ReportType.ConfirmedTest, Assert.Single(store.LoadExposureDays()).ReportType);
            Assert.Equal(WarningLevel.F1, warnings.Refresh().Level);

            // Both copies in one file, either order: one row, the confirmed one. A confirmed score below the threshold
            // does not undo a risky recursive one: the phone keeps the highest level it reached.
            var other = Enumerable.Repeat((byte)9, 16).ToArray();
            store.RecordProcessedExport("3-4-00001.zip", [
                new RecordedExposureDay(other, 100, Day.AddDays(1), ReportType.ConfirmedTest, 5, false),
                new RecordedExposureDay([.. other], 100, Day.AddDays(1), ReportType.Recursive, 20, true),
                new RecordedExposureDay([.. other], 100, Day.AddDays(2), ReportType.ConfirmedTest, 18, true),
                new RecordedExposureDay([.. other], 100, Day.AddDays(2), ReportType.Recursive, 25, true),
            ], Now);
            var days = store.LoadExposureDays().Where(d => d.KeyData.SequenceEqual(other)).ToList();
            Assert.Equal([(Day.AddDays(1), ReportType.Recursive), (Day.AddDays(2), ReportType.ConfirmedTest)], days.Select(d => (d.Day, d.ReportType)));
            Assert.Equal([WarningLevel.F2, WarningLevel.F1], raised);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Sync_state_and_a_pending_token_are_kept_and_an_upload_spends_the_token(string kind)
    {
        var store = Open(kind);
        try
        {
            var empty = store.LoadSyncState();
            Assert.False(empty.Joined);
            Assert.Null(empty.IndexETag);
            Assert.Null(empty.ConfigurationJson);
            Assert.Null(empty.PinnedPublicKeyPem);

            store.SaveJoined();
            store.SavePinnedPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
            store.SaveConfiguration("{\"version\":1}");
            store.RecordProcessedExport("old.zip", [], Now);
            store.RecordProcessedExport("live.zip", [], Now);
            store.SaveIndex("\"abc\"", ["live.zip", "new.zip"]);
            var pending = new PendingUpload("token-value", ReportType.ConfirmedClinicalDiagnosis, Day, Day.AddDays(-3), Now.AddHours(24));
            store.SavePendingUpload(pending);

            if (store is DeviceStore sqlite)
            {
                sqlite.Dispose();
                store = DeviceStore.Open(_directory.Path);
            }

            var state = store.LoadSyncState();
            Assert.True(state.Joined);
            Assert.Equal("\"abc\"", state.IndexETag);
            Assert.Equal("{\"version\":1}", state.ConfigurationJson);
            Assert.StartsWith("-----BEGIN PUBLIC KEY-----", state.PinnedPublicKeyPem, StringComparison.Ordinal);
            Assert.Equal(["live.zip"], state.ProcessedFiles); // the file no longer listed is forgotten
            Assert.Equal(pending, store.LoadPendingUpload());

            store.RecordOwnReport(new OwnReport(ReportType.ConfirmedClinicalDiagnosis, Day, Now));
            Assert.Null(store.LoadPendingUpload());
            Assert.Equal(new OwnReport(ReportType.ConfirmedClinicalDiagnosis, Day, Now), Assert.Single(store.LoadOwnReports()));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Retention_purges_exposure_days_and_reports_older_than_fourteen_days(string kind)
    {
        var store = Open(kind);
        try
        {
            store.RecordProcessedExport("a.zip", [Exposure(1, Day, ReportType.ConfirmedTest, risky: true), Exposure(2, Day.AddDays(1), ReportType.ConfirmedTest, risky: true)], Now);
            store.RecordOwnReport(new OwnReport(ReportType.ConfirmedTest, Day, Now));
            store.Purge(Day.AddDays(14)); // Day is the 15th day back: gone; Day + 1 is kept

            Assert.Equal(Day.AddDays(1), Assert.Single(store.LoadExposureDays()).Day);
            Assert.Empty(store.LoadOwnReports());
            Assert.Equal(new WarningStatus(WarningLevel.F1, Day.AddDays(1), Day.AddDays(1), ReportType.ConfirmedTest), ExposureWarnings.Compute(store));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_version_1_store_is_migrated_with_its_log_kept()
    {
        using (var store = DeviceStore.Open(_directory.Path))
        {
            store.SaveOwnKey(Protocol.Keys.TemporaryExposureKey.Generate(Protocol.Time.IntervalNumber.FirstOfDay(Day), new SeededRandomNumberGenerator(3)));
        }

        // Make it the file the previous release wrote: migration 1 only.
        using (var connection = new SqliteConnection($"Data Source={_directory.File("device.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE sync_state; DROP TABLE processed_exports; DROP TABLE exposure_days; DROP TABLE own_reports; PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        using var migrated = DeviceStore.Open(_directory.Path);
        Assert.Single(migrated.LoadOwnKeys());
        Assert.False(migrated.LoadSyncState().Joined);
        migrated.RecordProcessedExport("a.zip", [Exposure(1, Day, ReportType.ConfirmedTest, risky: true)], Now);
        Assert.Single(migrated.LoadExposureDays());
    }

    private static RecordedExposureDay Exposure(byte keyByte, DateOnly day, ReportType type, bool risky) =>
        new(Enumerable.Repeat(keyByte, 16).ToArray(), 144 * 20_000, day, type, risky ? 20 : 5, risky);

    private IDeviceStore Open(string kind) => kind == "sqlite" ? DeviceStore.Open(_directory.Path) : new InMemoryDeviceStore();
}

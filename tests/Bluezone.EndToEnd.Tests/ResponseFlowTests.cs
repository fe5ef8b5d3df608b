using Bluezone.Device.Warnings;
using Bluezone.EndToEnd.Tests.Infrastructure;
using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// The two response flows the city simulator found broken, end to end over real HTTP: an F1 warned through the
/// medium band (and heard by the F0 only at medium attenuation) must pass the contact proof; an F1 who uploaded
/// recursively and then tests positive must be able to upload as F0, and its contacts then become F1.
/// </summary>
public sealed class ResponseFlowTests
{
    [Fact]
    public async Task An_F1_exposed_only_in_the_medium_band_passes_the_contact_proof_and_one_heard_only_far_does_not()
    {
        var day1 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        await using var server = await LoopbackServer.StartAsync(day1.AddHours(7));
        using var town = new Town(day1.AddHours(7));
        var a = town.Add("A", server.Address, sqlite: true);
        var b = town.Add("B", server.Address, sqlite: true);
        var c = town.Add("C", server.Address, sqlite: false);
        var d = town.Add("D", server.Address, sqlite: false);
        await Town.SyncAllAsync(a, b, c, d);

        // A and B an hour apart at medium attenuation both ways (weight 0.5: 30 weighted minutes for B).
        town.JumpTo(day1.AddHours(8));
        town.Together(TimeSpan.FromMinutes(60), (a, b, Town.Medium));

        // D hears A close, A hears D only far (a body in the way one direction).
        town.JumpTo(day1.AddHours(10));
        town.Hearing(TimeSpan.FromMinutes(20), (d, a, Town.Close), (a, d, Town.Far));
        town.JumpTo(day2.AddHours(10));
        town.Together(TimeSpan.FromMinutes(20), (b, c, Town.Close));

        // A is confirmed. Its heard tokens are B's RPIs (heard at medium) and none of D's (heard far); the consent
        // summary counts exactly what the server then stores.
        town.JumpTo(day2.AddHours(12));
        server.MoveTo(town.Time.GetUtcNow());
        var consent = await a.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day2.UtcDateTime)));
        Assert.InRange(consent.HeardTokenCount, 3, 10);
        Assert.True((await a.Uploads.UploadConfirmedAsync(consent)).Accepted);
        var stored = await server.HeardTokensAsync();
        Assert.Equal(consent.HeardTokenCount, stored.Count);
        var bTokens = AllHeardTokens(b);
        var dTokens = AllHeardTokens(d);
        Assert.All(stored, t => Assert.Contains(t, bTokens));
        Assert.DoesNotContain(stored, dTokens.Contains);

        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        var index = await server.AwaitNextExportAsync(0);
        town.JumpTo(server.Time.GetUtcNow());
        await Town.SyncAllAsync(b, c, d);

        // B's exposure came only from the medium band, and it is F1.
        Assert.Equal(WarningLevel.F1, b.Status.Level);
        var bDay = Assert.Single(b.Store.LoadExposureDays(), e => e.IsRisky);
        Assert.InRange(bDay.WeightedMinutes, 15, 35);
        Assert.Equal(WarningLevel.F1, d.Status.Level);

        // B's recursive upload passes the contact proof; D's, whose RPIs A heard only far, does not.
        server.MoveTo(town.Time.GetUtcNow());
        var bUpload = await b.Uploads.UploadRecursiveAsync(b.Uploads.PrepareRecursive());
        Assert.True(bUpload.Accepted, bUpload.ErrorCode + " " + bUpload.Message);
        var dUpload = await d.Uploads.UploadRecursiveAsync(d.Uploads.PrepareRecursive());
        Assert.False(dUpload.Accepted);
        Assert.Equal((403, "contact_proof_failed"), (dUpload.HttpStatus, dUpload.ErrorCode));

        // B's close contact C becomes F2.
        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        await server.AwaitNextExportAsync(index.Length);
        town.JumpTo(server.Time.GetUtcNow());
        Assert.True((await c.Sync.SyncAsync()).Complete);
        Assert.Equal(WarningLevel.F2, c.Status.Level);
        Assert.Equal(DateOnly.FromDateTime(day2.UtcDateTime), c.Status.ExposureDate);
    }

    [Fact]
    public async Task An_F1_who_uploaded_recursively_and_then_tests_positive_uploads_as_F0_and_its_contacts_become_F1()
    {
        var day1 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        var day3 = day2.AddDays(1);
        await using var server = await LoopbackServer.StartAsync(day1.AddHours(7));
        using var town = new Town(day1.AddHours(7));
        var a = town.Add("A", server.Address, sqlite: false);
        var b = town.Add("B", server.Address, sqlite: true);
        var c = town.Add("C", server.Address, sqlite: true);
        await Town.SyncAllAsync(a, b, c);

        town.JumpTo(day1.AddHours(8));
        town.Together(TimeSpan.FromMinutes(20), (a, b, Town.Close));
        town.JumpTo(day2.AddHours(10));
        town.Together(TimeSpan.FromMinutes(20), (b, c, Town.Close));

        // A is F0 → B is F1 → B uploads recursively → C is F2.
        town.JumpTo(day2.AddHours(12));
        server.MoveTo(town.Time.GetUtcNow());
        Assert.True((await a.Uploads.UploadConfirmedAsync(await a.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day2.UtcDateTime))))).Accepted);
        var index = await ExportAndSyncAsync(server, town, 0, b, c);
        Assert.Equal(WarningLevel.F1, b.Status.Level);
        server.MoveTo(town.Time.GetUtcNow());
        var recursive = await b.Uploads.UploadRecursiveAsync(b.Uploads.PrepareRecursive());
        Assert.True(recursive.Accepted, recursive.ErrorCode + " " + recursive.Message);
        index = await ExportAndSyncAsync(server, town, index.Length, b, c);
        Assert.Equal(WarningLevel.F2, c.Status.Level);
        var bKeyDay = Assert.Single(c.Store.LoadExposureDays(), e => e.IsRisky);
        Assert.Equal(ReportType.Recursive, bKeyDay.ReportType);

        // The next day B tests positive and uploads as F0: accepted, although its keys were published as RECURSIVE.
        town.JumpTo(day3.AddHours(9));
        server.MoveTo(town.Time.GetUtcNow());
        var consent = await b.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day3.UtcDateTime)));
        var confirmed = await b.Uploads.UploadConfirmedAsync(consent);
        Assert.True(confirmed.Accepted, confirmed.ErrorCode + " " + confirmed.Message);
        Assert.Equal(WarningLevel.F0, b.Status.Level);

        // The next export has B's key of C's contact day as CONFIRMED_TEST; C, which matched it as F2, is now F1 —
        // with one row for that key and day, not two.
        var filesBefore = index.Length;
        index = await ExportAndSyncAsync(server, town, filesBefore, c);
        var newKeys = new List<ExportedKey>();
        foreach (var name in index.Skip(filesBefore))
        {
            newKeys.AddRange(ExportArchive.Read(await server.Http.GetByteArrayAsync("/v1/exports/" + name)).Batch.Keys);
        }

        Assert.Equal(ReportType.ConfirmedTest, Assert.Single(newKeys, k => k.Key.KeyData.SequenceEqual(bKeyDay.KeyData)).ReportType);
        Assert.Equal(WarningLevel.F1, c.Status.Level);
        Assert.Equal(DateOnly.FromDateTime(day2.UtcDateTime), c.Status.ExposureDate);
        Assert.Equal(ReportType.ConfirmedTest, c.Status.SourceReportType);
        Assert.Equal([WarningLevel.F2, WarningLevel.F1], c.Raised.Select(r => r.Level));
        var row = Assert.Single(c.Store.LoadExposureDays(), e => e.KeyData.SequenceEqual(bKeyDay.KeyData) && e.Day == bKeyDay.Day);
        Assert.Equal(ReportType.ConfirmedTest, row.ReportType);
        Assert.True(row.IsRisky);

        // A second F0 upload of the same keys (another code) is refused: no key is published as confirmed twice.
        server.MoveTo(town.Time.GetUtcNow());
        var again = await b.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day3.UtcDateTime)));
        var refused = await b.Uploads.UploadConfirmedAsync(again);
        Assert.False(refused.Accepted);
        Assert.Equal((409, "key_already_published"), (refused.HttpStatus, refused.ErrorCode));
    }

    /// <summary>Moves the server on until a new export is listed, then every given phone syncs it.</summary>
    private static async Task<string[]> ExportAndSyncAsync(LoopbackServer server, Town town, int filesBefore, params Phone[] phones)
    {
        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        var index = await server.AwaitNextExportAsync(filesBefore);
        town.JumpTo(server.Time.GetUtcNow());
        foreach (var phone in phones)
        {
            var result = await phone.Sync.SyncAsync();
            Assert.True(result.Complete, string.Join("; ", result.Refused.Select(r => r.Reason).Concat(result.Problems)));
        }

        return index;
    }

    /// <summary>The heard token of every RPI the phone's own keys can produce.</summary>
    private static HashSet<HeardToken> AllHeardTokens(Phone phone)
    {
        var tokens = new HashSet<HeardToken>();
        foreach (var key in phone.Store.LoadOwnKeys())
        {
            var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(key.KeyData);
            for (var i = 0; i < key.RollingPeriod; i++)
            {
                tokens.Add(HeardToken.FromRollingProximityIdentifier(KeySchedule.ComputeRollingProximityIdentifier(rpik, key.RollingStartIntervalNumber + i)));
            }
        }

        return tokens;
    }
}

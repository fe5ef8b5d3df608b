using Bluezone.Device.Warnings;
using Bluezone.EndToEnd.Tests.Infrastructure;
using Bluezone.Protocol.Export;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// Issue 5's scenario, end to end over real HTTP: A and B close for 20 minutes, D far from A (and from everyone),
/// C near B the next day. A becomes F0 with an authority's code → after the next batch B is F1 with the right date
/// and D (only far from A) stays safe; B uploads recursively → C is F2; D is still safe.
/// </summary>
public sealed class ContactTracingScenarioTests
{
    [Fact]
    public async Task An_F0_warns_its_close_contact_as_F1_and_the_F1s_upload_warns_its_contact_as_F2()
    {
        var day1 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        await using var server = await LoopbackServer.StartAsync(day1.AddHours(7));
        using var town = new Town(day1.AddHours(7));
        var a = town.Add("A", server.Address, sqlite: true);
        var b = town.Add("B", server.Address, sqlite: true);
        var c = town.Add("C", server.Address, sqlite: false);
        var d = town.Add("D", server.Address, sqlite: false);

        // Everyone syncs once before anything happens: joined, configuration adopted, nothing to match.
        foreach (var phone in new[] { a, b, c, d })
        {
            var first = await phone.Sync.SyncAsync();
            Assert.True(first.Complete, string.Join("; ", first.Problems));
            Assert.True(first.JoinedNow);
            Assert.True(phone.Store.LoadSyncState().Joined);
            Assert.Equal(WarningLevel.Safe, first.Status.Level);
        }

        town.JumpTo(day1.AddHours(8));
        town.Together(TimeSpan.FromMinutes(20), (a, b, Town.Close));
        town.JumpTo(day1.AddHours(9));
        town.Together(TimeSpan.FromMinutes(30), (a, d, Town.Far));
        town.JumpTo(day2.AddHours(10));
        town.Together(TimeSpan.FromMinutes(20), (b, c, Town.Close));

        // A tests positive on day 2; the authority issues a code; A uploads after consent.
        town.JumpTo(day2.AddHours(12));
        server.MoveTo(town.Time.GetUtcNow());
        var code = await server.IssueCodeAsync(DateOnly.FromDateTime(day2.UtcDateTime));
        var consent = await a.Uploads.PrepareConfirmedAsync(code);
        Assert.Equal([DateOnly.FromDateTime(day1.UtcDateTime), DateOnly.FromDateTime(day2.UtcDateTime)], consent.KeyDays);
        Assert.InRange(consent.HeardTokenCount, 2, 4); // B's RPIs of the 20 minutes (2–3 rotations); D was only far
        var uploaded = await a.Uploads.UploadConfirmedAsync(consent);
        Assert.True(uploaded.Accepted, uploaded.ErrorCode + " " + uploaded.Message);
        Assert.Equal(2, uploaded.Inserted);
        Assert.Equal(WarningLevel.F0, a.Status.Level);
        Assert.Equal(DateOnly.FromDateTime(day2.UtcDateTime), a.Status.ExposureDate);

        // The next batch after A's today key, cut to the current interval, has expired (the server holds it till then).
        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        var index = await server.AwaitNextExportAsync(0);
        town.JumpTo(server.Time.GetUtcNow());
        foreach (var phone in new[] { b, c, d })
        {
            var result = await phone.Sync.SyncAsync();
            Assert.True(result.Complete, string.Join("; ", result.Refused.Select(r => r.Reason).Concat(result.Problems)));
            Assert.Equal(index, result.Processed.Select(p => p.Name));
        }

        Assert.Equal(WarningLevel.F1, b.Status.Level);
        Assert.Equal(DateOnly.FromDateTime(day1.UtcDateTime), b.Status.ExposureDate);
        Assert.Equal(ReportType.ConfirmedTest, b.Status.SourceReportType);
        Assert.Equal(WarningLevel.F1, Assert.Single(b.Raised).Level);
        Assert.Equal(WarningLevel.Safe, c.Status.Level);
        Assert.Equal(WarningLevel.Safe, d.Status.Level);
        Assert.Empty(d.Raised);

        // D did hear A's key — only far, so its day is recorded with no weight and no warning.
        var dDay = Assert.Single(d.Store.LoadExposureDays());
        Assert.False(dDay.IsRisky);
        Assert.Equal(0, dDay.WeightedMinutes);

        // B, warned, consents to warn its own contacts: its keys from the exposure day on.
        var recursive = b.Uploads.PrepareRecursive();
        Assert.Equal([DateOnly.FromDateTime(day1.UtcDateTime), DateOnly.FromDateTime(day2.UtcDateTime)], recursive.KeyDays);
        Assert.Equal(0, recursive.HeardTokenCount);
        server.MoveTo(town.Time.GetUtcNow());
        var recursiveResult = await b.Uploads.UploadRecursiveAsync(recursive);
        Assert.True(recursiveResult.Accepted, recursiveResult.ErrorCode + " " + recursiveResult.Message);
        Assert.Equal(2, recursiveResult.Inserted);
        Assert.Equal(WarningLevel.F1, b.Status.Level); // uploading does not change B's own level

        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        var index2 = await server.AwaitNextExportAsync(index.Length);
        town.JumpTo(server.Time.GetUtcNow());
        await Town.SyncAllAsync(a, b, c, d);

        Assert.True(c.Status.Level == WarningLevel.F2, string.Join("; ", c.Store.LoadExposureDays().Select(x => $"{x.Day} {x.ReportType} {x.WeightedMinutes} {x.IsRisky}")) + " index " + string.Join(",", index2));
        Assert.Equal(DateOnly.FromDateTime(day2.UtcDateTime), c.Status.ExposureDate);
        Assert.Equal(ReportType.Recursive, c.Status.SourceReportType);
        Assert.Equal(WarningLevel.F2, Assert.Single(c.Raised).Level);
        Assert.Equal(WarningLevel.Safe, d.Status.Level);
        Assert.Equal(WarningLevel.F1, b.Status.Level);
        Assert.Equal(WarningLevel.F0, a.Status.Level);

        // An unchanged index costs a 304 and changes nothing.
        var again = await c.Sync.SyncAsync();
        Assert.True(again.IndexUnchanged);
        Assert.Empty(again.Processed);
        Assert.Equal(index2.Length, c.Store.LoadSyncState().ProcessedFiles.Count);
    }

    [Fact]
    public async Task An_F1_whose_keys_the_F0_never_heard_is_refused_with_the_servers_code_and_stays_F1()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        await using var server = await LoopbackServer.StartAsync(day.AddHours(7));
        using var town = new Town(day.AddHours(8));
        var a = town.Add("A", server.Address, sqlite: false);
        var b = town.Add("B", server.Address, sqlite: true);

        // B heard A for 20 minutes but A never heard B: A's upload carries no heard token of B's.
        town.Overhears(TimeSpan.FromMinutes(20), listener: b, speaker: a, Town.Close);
        town.JumpTo(day.AddHours(12));
        server.MoveTo(town.Time.GetUtcNow());
        var consent = await a.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day.UtcDateTime)));
        Assert.Equal(0, consent.HeardTokenCount);
        Assert.True((await a.Uploads.UploadConfirmedAsync(consent)).Accepted);
        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        await server.AwaitNextExportAsync(0);
        town.JumpTo(server.Time.GetUtcNow());
        Assert.True((await b.Sync.SyncAsync()).Complete);
        Assert.Equal(WarningLevel.F1, b.Status.Level);

        server.MoveTo(town.Time.GetUtcNow());
        var refused = await b.Uploads.UploadRecursiveAsync(b.Uploads.PrepareRecursive());
        Assert.False(refused.Accepted);
        Assert.Equal(403, refused.HttpStatus);
        Assert.Equal("contact_proof_failed", refused.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
        Assert.Equal(WarningLevel.F1, b.Status.Level);
        Assert.DoesNotContain(b.Store.LoadOwnReports(), r => r.ReportType == ReportType.Recursive);

        // An F2 or a safe phone is not offered the recursive upload at all.
        Assert.Throws<InvalidOperationException>(() => a.Uploads.PrepareRecursive());
    }
}

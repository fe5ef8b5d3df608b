using Bluezone.Device.Warnings;

namespace Bluezone.EndToEnd.Tests.Infrastructure;

/// <summary>A and B close for 20 minutes; A uploads as F0; the export is out. B has not synced yet.</summary>
public sealed class ContactWorld : IAsyncDisposable
{
    private ContactWorld(LoopbackServer server, Town town, Phone b, string[] index)
    {
        Server = server;
        Town = town;
        B = b;
        Index = index;
    }

    public LoopbackServer Server { get; }

    public Town Town { get; }

    public Phone B { get; }

    public string[] Index { get; }

    public string File => Index[0];

    public static async Task<ContactWorld> StartAsync()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        var server = await LoopbackServer.StartAsync(day.AddHours(7));
        var town = new Town(day.AddHours(8));
        var a = town.Add("A", server.Address, sqlite: false);
        var b = town.Add("B", server.Address, sqlite: true);
        town.Together(TimeSpan.FromMinutes(20), (a, b, Town.Close));
        town.JumpTo(day.AddHours(12));
        server.MoveTo(town.Time.GetUtcNow());
        var consent = await a.Uploads.PrepareConfirmedAsync(await server.IssueCodeAsync(DateOnly.FromDateTime(day.UtcDateTime)));
        Assert.True((await a.Uploads.UploadConfirmedAsync(consent)).Accepted);
        server.MoveTo(town.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        var index = await server.AwaitNextExportAsync(0);
        town.JumpTo(server.Time.GetUtcNow());
        return new ContactWorld(server, town, b, index);
    }

    /// <summary>Nothing processed, no ETag (so the next sync reads the index again), no exposure, no warning.</summary>
    public void AssertUntouched()
    {
        var state = B.Store.LoadSyncState();
        Assert.Empty(state.ProcessedFiles);
        Assert.Null(state.IndexETag);
        Assert.Empty(B.Store.LoadExposureDays());
        Assert.Equal(WarningLevel.Safe, B.Status.Level);
        Assert.Empty(B.Raised);
    }

    public async Task AssertRecoversAsync()
    {
        var result = await B.Sync.SyncAsync();
        Assert.True(result.Complete, string.Join("; ", result.Refused.Select(r => r.Reason).Concat(result.Problems)));
        Assert.Equal(Index, result.Processed.Select(p => p.Name));
        Assert.Equal(WarningLevel.F1, B.Status.Level);
        Assert.Equal(WarningLevel.F1, Assert.Single(B.Raised).Level);
        Assert.NotNull(B.Store.LoadSyncState().IndexETag);
    }

    public async ValueTask DisposeAsync()
    {
        Town.Dispose();
        await Server.DisposeAsync();
    }
}

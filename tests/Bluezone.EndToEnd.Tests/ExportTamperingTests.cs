using System.IO.Compression;
using System.Security.Cryptography;
using Bluezone.Device.Warnings;
using Bluezone.EndToEnd.Tests.Infrastructure;
using Bluezone.Protocol.Export;

namespace Bluezone.EndToEnd.Tests;

/// <summary>
/// Exports the phone must refuse — a tampered file, a wrong public key, a truncated zip: each is reported, never
/// matched, leaves the phone's state as it was, and the next sync with the genuine file and key recovers.
/// </summary>
public sealed class ExportTamperingTests
{
    [Fact]
    public async Task A_tampered_export_is_refused_without_changing_state_and_the_genuine_file_is_processed_next_time()
    {
        await using var world = await ContactWorld.StartAsync();
        var original = await world.Server.ReplaceExportFileAsync(world.File, FlipABitOfTheFirstKey);

        var refused = await world.B.Sync.SyncAsync();
        Assert.Contains("signature", Assert.Single(refused.Refused, r => r.Name == world.File).Reason, StringComparison.Ordinal);
        world.AssertUntouched();

        await world.Server.ReplaceExportFileAsync(world.File, _ => original);
        await world.AssertRecoversAsync();
    }

    [Fact]
    public async Task Exports_signed_by_another_key_are_refused_and_the_configuration_is_kept()
    {
        await using var world = await ContactWorld.StartAsync();
        using var wrongKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var refused = await world.B.Sync.SyncAsync(wrongKey);
        Assert.Equal(world.Index, refused.Refused.Select(r => r.Name));
        Assert.All(refused.Refused, r => Assert.Contains("signature", r.Reason, StringComparison.Ordinal));
        Assert.False(refused.ConfigurationAdopted);
        Assert.Contains(refused.Problems, p => p.StartsWith("configuration kept", StringComparison.Ordinal));
        Assert.Null(world.B.Store.LoadSyncState().ConfigurationJson);
        world.AssertUntouched();

        await world.AssertRecoversAsync();
    }

    [Fact]
    public async Task A_truncated_zip_is_refused_without_changing_state_and_the_whole_file_is_processed_next_time()
    {
        await using var world = await ContactWorld.StartAsync();
        var original = await world.Server.ReplaceExportFileAsync(world.File, bytes => bytes[..(bytes.Length / 2)]);

        var refused = await world.B.Sync.SyncAsync();
        Assert.StartsWith("malformed", Assert.Single(refused.Refused, r => r.Name == world.File).Reason, StringComparison.Ordinal);
        world.AssertUntouched();

        await world.Server.ReplaceExportFileAsync(world.File, _ => original);
        await world.AssertRecoversAsync();
    }

    /// <summary>Rewrites export.bin with one bit of one key flipped, keeping the original export.sig.</summary>
    private static byte[] FlipABitOfTheFirstKey(byte[] zip)
    {
        var export = ExportArchive.Read(zip);
        var bin = export.ExportBin.ToArray();
        var key = export.Batch.Keys[0].Key.KeyData;
        var at = bin.AsSpan().IndexOf(key);
        Assert.True(at > 0);
        bin[at] ^= 0x01;
        byte[] sig;
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var entry = archive.GetEntry(ExportArchive.SigEntryName)!.Open())
        using (var copy = new MemoryStream())
        {
            entry.CopyTo(copy);
            sig = copy.ToArray();
        }

        return ExportArchive.Create(bin, sig, DateTimeOffset.UnixEpoch);
    }

    /// <summary>A and B close for 20 minutes; A uploads as F0; the export is out. B has not synced yet.</summary>
    private sealed class ContactWorld : IAsyncDisposable
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
}

using System.IO.Compression;
using System.Security.Cryptography;
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
}

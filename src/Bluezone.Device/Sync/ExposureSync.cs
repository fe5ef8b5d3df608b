using System.Security.Cryptography;
using System.Text;
using Bluezone.Device.Matching;
using Bluezone.Device.Storage;
using Bluezone.Device.Warnings;
using Bluezone.Protocol;
using Bluezone.Protocol.Configuration;

namespace Bluezone.Device.Sync;

/// <summary>
/// One phone's sync with the server (issue 5, DESIGN.md §5–7): join the community once; fetch the signed
/// configuration and adopt it only if it verifies with the pinned key and is valid; fetch index.txt (If-None-Match)
/// and each export file not processed yet; verify each file's signature with the pinned key; match its keys against
/// this phone's log, score the days with the configuration, and record the days and the file as processed in one
/// transaction. A refused file (bad signature, malformed, not downloaded) is reported, never matched and not
/// marked processed, so the next sync tries it again; a failure part-way loses nothing already recorded.
/// </summary>
public sealed class ExposureSync
{
    private readonly ServerApi _api;
    private readonly IDeviceStore _store;
    private readonly ExposureWarnings _warnings;
    private readonly TimeProvider _time;
    private readonly SyncOptions _options;
    private readonly ExportImport _import;
    private readonly RandomNumberGenerator? _random;

    /// <param name="time">The phone's clock (records when files were processed).</param>
    /// <param name="random">Draws the join nonce prefix; null for the platform's generator.</param>
    public ExposureSync(ServerApi api, IDeviceStore store, ExposureWarnings warnings, TimeProvider time, SyncOptions? options = null, MatchingOptions? matching = null, RandomNumberGenerator? random = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new SyncOptions();
        _options.Validate();
        _api = api;
        _store = store;
        _warnings = warnings;
        _time = time;
        _import = new ExportImport(store, time, _options, matching);
        _random = random;
    }

    /// <summary>
    /// The key exports and the configuration must be signed with: <paramref name="publicKeyPem"/> when given (and
    /// then pinned), else the pinned one, else — trust on first use — the one the server publishes, pinned from
    /// then on. A pinned key is never replaced by what a server says later.
    /// </summary>
    public async Task<ECDsa> PinPublicKeyAsync(string? publicKeyPem = null, CancellationToken cancellationToken = default)
    {
        var pem = publicKeyPem ?? _store.LoadSyncState().PinnedPublicKeyPem ?? await _api.GetPublicKeyPemAsync(cancellationToken).ConfigureAwait(false);
        var key = ImportPublicKey(pem);
        _store.SavePinnedPublicKey(pem.Trim() + "\n");
        return key;
    }

    /// <summary>Parses a SubjectPublicKeyInfo PEM and checks it is an ECDSA P-256 key.</summary>
    public static ECDsa ImportPublicKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException($"the export verification key must be ECDSA P-256, not a {key.KeySize}-bit key");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CryptographicException("the export verification key is not an ECDSA P-256 public key in PEM form: " + e.Message, e);
        }
    }

    /// <summary>Runs one sync with the pinned key (pinning the server's on first use).</summary>
    public async Task<SyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        using var key = await PinPublicKeyAsync(null, cancellationToken).ConfigureAwait(false);
        return await SyncAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one sync, verifying everything with <paramref name="publicKey"/>.</summary>
    public async Task<SyncResult> SyncAsync(ECDsa publicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var problems = new List<string>();
        var state = _store.LoadSyncState();

        var joinedNow = false;
        if (!state.Joined)
        {
            try
            {
                await _api.JoinCommunityAsync(_random, cancellationToken).ConfigureAwait(false);
                _store.SaveJoined();
                joinedNow = true;
            }
            catch (Exception e) when (e is HttpRequestException or ServerRefusedException)
            {
                problems.Add("join: " + e.Message);
            }
        }

        var (configuration, adopted) = await UpdateConfigurationAsync(publicKey, problems, cancellationToken).ConfigureAwait(false);

        ExportIndex index;
        try
        {
            index = await _api.GetExportIndexAsync(state.IndexETag, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or ServerRefusedException)
        {
            problems.Add("index: " + e.Message);
            return new SyncResult(joinedNow, adopted, configuration.IssuedAt, false, false, [], [], problems, _warnings.Refresh());
        }

        var processed = new List<(string, int)>();
        var refused = new List<RefusedExport>();
        if (!index.NotModified)
        {
            SightingLog? log = null;
            foreach (var name in index.Files)
            {
                if (state.ProcessedFiles.Contains(name))
                {
                    continue;
                }

                var outcome = await ProcessFileAsync(name, publicKey, configuration, () => log ??= SightingLog.Build(_store.LoadScanInstances()), cancellationToken).ConfigureAwait(false);
                if (outcome.Refusal is { } reason)
                {
                    refused.Add(new RefusedExport(name, reason));
                }
                else
                {
                    processed.Add((name, outcome.Keys));
                }
            }

            // The ETag is kept only when every listed file is done, so a 304 never hides a file still to retry.
            _store.SaveIndex(refused.Count == 0 ? index.ETag : null, index.Files);
        }

        return new SyncResult(joinedNow, adopted, configuration.IssuedAt, true, index.NotModified, processed, refused, problems, _warnings.Refresh());
    }

    private async Task<(DeviceConfiguration Configuration, bool Adopted)> UpdateConfigurationAsync(ECDsa publicKey, List<string> problems, CancellationToken cancellationToken)
    {
        var current = StoredConfiguration.Load(_store);
        try
        {
            var signed = await _api.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            var candidate = signed.Verify(publicKey);

            // An older configuration, even validly signed, may be a replay: keep the newer one.
            if (candidate.IssuedAt < current.IssuedAt)
            {
                return (current, false);
            }

            var json = Encoding.UTF8.GetString(candidate.ToJsonBytes());
            if (json == _store.LoadSyncState().ConfigurationJson)
            {
                return (current, false);
            }

            _store.SaveConfiguration(json);
            return (candidate, true);
        }
        catch (Exception e) when (e is HttpRequestException or ServerRefusedException or ProtocolFormatException)
        {
            problems.Add("configuration kept: " + e.Message);
            return (current, false);
        }
    }

    private async Task<(string? Refusal, int Keys)> ProcessFileAsync(string name, ECDsa publicKey, DeviceConfiguration configuration, Func<SightingLog> log, CancellationToken cancellationToken)
    {
        if (!ServerApi.IsExportFileName(name))
        {
            return ("not an export file name", 0);
        }

        byte[] bytes;
        try
        {
            bytes = await _api.GetExportFileAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or ServerRefusedException)
        {
            return ("download failed: " + e.Message, 0);
        }

        var outcome = _import.Import(name, bytes, publicKey, configuration, log);
        return (outcome.Refusal, outcome.Keys);
    }
}

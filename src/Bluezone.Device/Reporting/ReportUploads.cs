using Bluezone.Device.Storage;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Device.Reporting;

/// <summary>
/// The upload flows of DESIGN.md §6, as device APIs the app puts buttons on.
/// <list type="bullet">
/// <item>F0: code → upload token (POST /v1/verify) → <see cref="ReportConsent"/> (which days' keys, how many heard
/// tokens) → upload (POST /v1/publish) → level F0. The keys are this phone's own for the infectious window (onset − 2
/// days, or test date − 14 days, to today), today's cut to now; the heard tokens hash every RPI it heard in that
/// window at an attenuation that counts toward exposure risk (<see cref="HeardTokenAttenuationLimit"/>).</item>
/// <item>F1: consent → POST /v1/publish/recursive with the keys from the first risky exposure day to today. The server
/// accepts it only with a contact proof; a refusal comes back with its stable error code. An F1 that later tests
/// positive uploads as F0 all the same: the server publishes its RECURSIVE keys again as confirmed.</item>
/// </list>
/// </summary>
public sealed class ReportUploads
{
    /// <summary>Days before symptom onset an F0 is taken to be infectious.</summary>
    public const int DaysBeforeOnset = 2;

    /// <summary>Days before the test when the onset is unknown.</summary>
    public const int DaysBeforeTest = 14;

    /// <summary>Heard tokens the server accepts in one upload.</summary>
    public const int MaxHeardTokens = 50_000;

    /// <summary>
    /// dB added to the last weighted bucket's bound when choosing heard tokens, for radio asymmetry. The F0 stored
    /// each attenuation assuming the default sender tx power (−24 dBm): it cannot know the sender's true one, which
    /// the F1's matching uses. A sender weaker than assumed therefore looks farther to the F0 than the same contact
    /// scored at the F1; 6 dB covers the tx power of 95 % of the models in the 2020-06-13 calibration table
    /// (−30 dBm and up). Per-direction shadowing (≈ 6 dB, REFERENCE.md) is left to the many scans of a contact
    /// long enough to be risky: one of them within the limit is enough.
    /// </summary>
    public const int HeardTokenMarginDb = 6;

    private readonly ServerApi _api;
    private readonly IDeviceStore _store;
    private readonly ExposureWarnings _warnings;
    private readonly TimeProvider _time;

    public ReportUploads(ServerApi api, IDeviceStore store, ExposureWarnings warnings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(time);
        _api = api;
        _store = store;
        _warnings = warnings;
        _time = time;
    }

    /// <summary>
    /// Exchanges <paramref name="code"/> for an upload token and prepares the F0 upload. The code is single use, so
    /// the token is kept (until spent or expired) and a later call uses it instead of the code: the user may read
    /// the summary, decline, and upload later. A refused code raises <see cref="ServerRefusedException"/>.
    /// </summary>
    public async Task<ReportConsent> PrepareConfirmedAsync(string code, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var pending = _store.LoadPendingUpload();
        if (pending is null || pending.ExpiresAt <= now)
        {
            pending = await _api.VerifyCodeAsync(code, cancellationToken).ConfigureAwait(false);
            _store.SavePendingUpload(pending);
        }

        var start = pending.SymptomOnsetDate?.AddDays(-DaysBeforeOnset) ?? pending.TestDate.AddDays(-DaysBeforeTest);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var keys = OwnKeys(start, now);
        return new ReportConsent(pending.ReportType, keys, HeardTokens(start, StoredConfiguration.Load(_store)), start, today);
    }

    /// <summary>Uploads after consent; on success the phone is F0 (its level, persisted).</summary>
    public async Task<ReportResult> UploadConfirmedAsync(ReportConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        if (consent.ReportType == ReportType.Recursive)
        {
            throw new ArgumentException("This consent is for a recursive upload.", nameof(consent));
        }

        var pending = _store.LoadPendingUpload() ?? throw new InvalidOperationException("No upload token: prepare the upload with the authority's code first.");
        if (consent.Keys.Count == 0)
        {
            return new ReportResult(false, 0, null, "no_keys", "This phone holds no keys for the infectious window; there is nothing to upload.");
        }

        try
        {
            var inserted = await _api.PublishAsync(pending.Token, consent.Keys, consent.HeardTokens, cancellationToken).ConfigureAwait(false);
            _store.RecordOwnReport(new OwnReport(pending.ReportType, pending.TestDate, _time.GetUtcNow()));
            _warnings.Refresh();
            return ReportResult.Success(inserted);
        }
        catch (ServerRefusedException e)
        {
            if (e.ErrorCode is "token_used" or "token_expired" or "token_unknown")
            {
                _store.SavePendingUpload(null); // a dead token: the next attempt needs a new code
            }

            return new ReportResult(false, 0, (int)e.Status, e.ErrorCode, e.ServerMessage);
        }
    }

    /// <summary>
    /// Prepares an F1's recursive upload: its keys from the first risky exposure day to today (today's cut to now).
    /// Only an F1 offers it (an F2 does not: warnings stop at depth 2); anything else is an
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    public ReportConsent PrepareRecursive()
    {
        var status = _warnings.Refresh();
        if (status.Level != WarningLevel.F1 || status.FirstExposureDate is not { } exposureDay)
        {
            throw new InvalidOperationException($"Only an F1 phone uploads recursively; this phone is {status.Level}.");
        }

        var now = _time.GetUtcNow();
        return new ReportConsent(ReportType.Recursive, OwnKeys(exposureDay, now), [], exposureDay, DateOnly.FromDateTime(now.UtcDateTime));
    }

    /// <summary>Uploads after consent. A server refusal is returned with its code, never swallowed.</summary>
    public async Task<ReportResult> UploadRecursiveAsync(ReportConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        if (consent.ReportType != ReportType.Recursive)
        {
            throw new ArgumentException("This consent is for a confirmed upload.", nameof(consent));
        }

        if (consent.Keys.Count == 0)
        {
            return new ReportResult(false, 0, null, "no_keys", "This phone holds no keys from the exposure day on; there is nothing to upload.");
        }

        try
        {
            var inserted = await _api.PublishRecursiveAsync(consent.Keys, cancellationToken).ConfigureAwait(false);
            _store.RecordOwnReport(new OwnReport(ReportType.Recursive, consent.WindowStart, _time.GetUtcNow()));
            return ReportResult.Success(inserted);
        }
        catch (ServerRefusedException e)
        {
            return new ReportResult(false, 0, (int)e.Status, e.ErrorCode, e.ServerMessage);
        }
    }

    /// <summary>
    /// The phone's own keys from <paramref name="from"/> to today. Today's key is cut to the current interval
    /// (DESIGN.md §3: a key revealed the same day has a shorter period), so no RPI it has not yet sent is revealed.
    /// </summary>
    private List<TemporaryExposureKey> OwnKeys(DateOnly from, DateTimeOffset now)
    {
        var current = IntervalNumber.FromTime(now);
        var today = current.Day;
        var keys = new List<TemporaryExposureKey>();
        foreach (var key in _store.LoadOwnKeys().OrderBy(k => k.RollingStartIntervalNumber.Value))
        {
            if (key.Day < from || key.Day > today)
            {
                continue;
            }

            keys.Add(key.Day == today ? key.WithRollingPeriod(Math.Clamp(current - key.RollingStartIntervalNumber + 1, 1, key.RollingPeriod)) : key);
        }

        // The server takes at most 30 keys; the window is at most 17 days, so the newest 30 always cover it.
        return keys.Count > 30 ? keys.GetRange(keys.Count - 30, 30) : keys;
    }

    /// <summary>
    /// The highest typical attenuation (dB, as the phone stored it) at which a heard RPI becomes a heard token: the
    /// upper bound of the farthest attenuation bucket that has a non-zero weight in <paramref name="configuration"/>,
    /// plus <see cref="HeardTokenMarginDb"/>; no bound (<see cref="int.MaxValue"/>) when the "other" bucket itself
    /// counts, and none heard at all (−1) when no bucket does.
    /// </summary>
    /// <remarks>
    /// A phone becomes F1 from a risk score that counts every bucket with a non-zero weight (by default the medium
    /// one, weight 0.5, too), so an F0 that kept only "close" RPIs (immediate and near) would refuse the contact
    /// proof to many genuine F1s: radio is asymmetric, and the F1 that heard the F0 at medium attenuation is often
    /// heard by the F0 at medium too. Heard tokens therefore cover exactly what can count toward risk, under the
    /// same signed configuration the phones score with (DESIGN.md §6, docs/device.md "Reporting").
    /// </remarks>
    public static int HeardTokenAttenuationLimit(DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var weights = configuration.AttenuationWeights;
        if (weights[^1] > 0)
        {
            return int.MaxValue;
        }

        for (var bucket = configuration.AttenuationThresholds.Length - 1; bucket >= 0; bucket--)
        {
            if (weights[bucket] > 0)
            {
                return configuration.AttenuationThresholds[bucket] + HeardTokenMarginDb;
            }
        }

        return -1;
    }

    /// <summary>
    /// Heard tokens of every distinct RPI heard since <paramref name="from"/> at an attenuation within
    /// <see cref="HeardTokenAttenuationLimit"/> (in any one scan). The server takes at most 50,000; a phone that
    /// heard more keeps the most recent ones.
    /// </summary>
    private List<HeardToken> HeardTokens(DateOnly from, DeviceConfiguration configuration)
    {
        var fromMs = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var limit = HeardTokenAttenuationLimit(configuration);
        var lastHeard = new Dictionary<RollingProximityIdentifier, long>();
        foreach (var instance in _store.LoadScanInstances())
        {
            if (instance.ScanStartUnixMs >= fromMs && instance.TypicalAttenuation <= limit)
            {
                lastHeard[instance.Rpi] = Math.Max(lastHeard.GetValueOrDefault(instance.Rpi), instance.ScanStartUnixMs);
            }
        }

        var rpis = lastHeard.Count <= MaxHeardTokens
            ? lastHeard.Keys
            : lastHeard.OrderByDescending(h => h.Value).Take(MaxHeardTokens).Select(h => h.Key);
        return [.. rpis.Select(HeardToken.FromRollingProximityIdentifier)];
    }
}

using Bluezone.Device.Warnings;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;

namespace Bluezone.Simulation.Measures;

/// <summary>
/// What the app did, as the simulator records it beside the phones: who uploaded which key (the server and the
/// phones never learn this link; the simulator needs it to score detection against the truth), which keys
/// reached an export, who was warned when, and the history screens' errors.
/// </summary>
internal sealed class Detections(int days)
{
    private readonly Dictionary<string, UploadedKey> _keys = [];
    private readonly HashSet<string> _published = [];
    private readonly Dictionary<int, WarningLevel> _levels = [];
    private readonly Dictionary<string, int> _refusals = [];

    public int[] AppUsersPerDay { get; } = new int[days];

    public int[] F1PerDay { get; } = new int[days];

    public int[] F2PerDay { get; } = new int[days];

    public List<int> HistoryErrors { get; } = [];

    /// <summary>Sum over app-user days of the history screen's close contacts ("Tiếp xúc gần").</summary>
    public long HistoryCloseContacts { get; set; }

    /// <summary>Sum over the same app-user days of the true close contacts with other app users.</summary>
    public long TrueCloseContacts { get; set; }

    /// <summary>Every risky day the phones recorded: (phone's person, key id, day). Filled at the end of the run.</summary>
    public HashSet<(int Person, string Key, DateOnly Day)> RiskyExposures { get; } = [];

    /// <summary>Hours from the F0's confirmation (the authority's code) to each F1 warning it caused.</summary>
    public List<double> HoursToWarning { get; } = [];

    /// <summary>F0 uploaders and when their test result came back (the authority's confirmation).</summary>
    public Dictionary<int, DateTimeOffset> ConfirmedUploads { get; } = [];

    public HashSet<int> RecursiveUploaders { get; } = [];

    public HashSet<int> WarnedF1 { get; } = [];

    public HashSet<int> WarnedF2 { get; } = [];

    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    public IReadOnlyDictionary<string, UploadedKey> Keys => _keys;

    public WarningLevel LevelOf(int person) => _levels.GetValueOrDefault(person);

    public void Uploaded(int person, IEnumerable<TemporaryExposureKey> keys, ReportType type, DateTimeOffset at)
    {
        foreach (var key in keys)
        {
            _keys[Id(key.KeyData)] = new UploadedKey(person, key.RollingStartIntervalNumber.Day, type);
        }

        if (type == ReportType.Recursive)
        {
            RecursiveUploaders.Add(person);
        }
        else
        {
            ConfirmedUploads.TryAdd(person, at);
            _levels[person] = WarningLevel.F0;
        }
    }

    public void Published(TemporaryExposureKey key) => _published.Add(Id(key.KeyData));

    public bool IsPublished(string keyId) => _published.Contains(keyId);

    /// <summary>The server refused an upload ("recursive contact_proof_failed", "publish key_already_published"…).</summary>
    public void Refused(string errorCode) => _refusals[errorCode] = _refusals.GetValueOrDefault(errorCode) + 1;

    /// <summary>A phone's level went up (to F1 or F2) at <paramref name="at"/>.</summary>
    public void Warned(int person, WarningLevel level, DateTimeOffset at, int day, IReadOnlyList<RecordedExposureDay> exposures)
    {
        _levels[person] = level;
        if (level == WarningLevel.F1)
        {
            WarnedF1.Add(person);
            F1PerDay[day]++;

            // The confirmation that made it risky: the latest among the confirmed keys on risky days.
            var confirmations = exposures
                .Where(e => e.Level == WarningLevel.F1 && _keys.TryGetValue(Id(e.KeyData), out var k) && ConfirmedUploads.ContainsKey(k.Person))
                .Select(e => ConfirmedUploads[_keys[Id(e.KeyData)].Person])
                .ToList();
            if (confirmations.Count > 0)
            {
                HoursToWarning.Add((at - confirmations.Max()).TotalHours);
            }
        }
        else if (level == WarningLevel.F2)
        {
            WarnedF2.Add(person);
            F2PerDay[day]++;
        }
    }

    public static string Id(ReadOnlySpan<byte> keyData) => Convert.ToBase64String(keyData);
}

/// <summary>Whose key it is, for which day, uploaded as what.</summary>
internal sealed record UploadedKey(int Person, DateOnly Day, ReportType Type);

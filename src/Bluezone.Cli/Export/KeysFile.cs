using System.Text.Json;
using System.Text.Json.Serialization;
using Bluezone.Protocol;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Cli.Export;

/// <summary>
/// The KEYS.json input of <c>bluezone export build</c>: an array of
/// <c>{"key":"hex","rollingStartIntervalNumber":n,"rollingPeriod":n,"reportType":n,"daysSinceOnsetOfSymptoms":n}</c>
/// with the last two optional (report type 0, unknown, when absent). Unknown properties are errors, so a
/// misspelt field is not silently dropped. Property names are matched exactly (camelCase).
/// </summary>
internal static partial class KeysFile
{
    /// <summary>Larger files are refused before parsing: 500,000 keys take about 60 MB of JSON.</summary>
    private const long MaxBytes = 128L * 1024 * 1024;

    public static List<ExportedKey> Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: no such file");
        }

        if (info.Length > MaxBytes)
        {
            throw new FormatException($"{path}: {info.Length} bytes is more than a keys file can hold ({MaxBytes})");
        }

        using var stream = info.OpenRead();
        return Parse(stream, path);
    }

    public static List<ExportedKey> Parse(Stream json, string name)
    {
        List<KeyEntry?>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, KeysFileJsonContext.Default.ListKeyEntry);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{name}: {Describe(e)}", e);
        }

        if (entries is null || entries.Count == 0)
        {
            throw new FormatException($"{name}: expected a non-empty JSON array of keys");
        }

        if (entries.Count > ExportBinFormat.MaxKeys)
        {
            throw new FormatException($"{name}: {entries.Count} keys exceed the limit of {ExportBinFormat.MaxKeys} per export");
        }

        var keys = new List<ExportedKey>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            keys.Add(ToKey(entries[i], $"{name}: entry {i}"));
        }

        return keys;
    }

    /// <summary>
    /// Turns the serializer's message, which names .NET types, into one naming the entry and field the
    /// user wrote.
    /// </summary>
    private static string Describe(JsonException e)
    {
        var line = e.LineNumber is { } n ? $" (line {n + 1})" : string.Empty;
        var match = EntryPath().Match(e.Path ?? string.Empty);
        if (e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            if (match.Success && match.Groups[2].Success)
            {
                var field = match.Groups[2].Value;
                var expected = field == "key" ? "a string of hex digits" : "a whole number in the 32-bit range";
                return $"entry {match.Groups[1].Value}: {field} must be {expected}{line}";
            }

            return match.Success
                ? $"entry {match.Groups[1].Value}: expected an object with key, rollingStartIntervalNumber and rollingPeriod{line}"
                : $"expected a JSON array of key objects{line}";
        }

        // Syntax errors: the reader's message says what it found; cut the position suffix, reported as the line.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return $"not valid JSON{line}: {(cut > 0 ? message[..cut] : message)}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\$\[(\d+)\](?:\.(\w+))?")]
    private static partial System.Text.RegularExpressions.Regex EntryPath();

    private static ExportedKey ToKey(KeyEntry? entry, string where)
    {
        if (entry is null)
        {
            throw new FormatException($"{where}: expected an object, got null");
        }

        if (entry.UnknownProperties is { Count: > 0 } unknown)
        {
            throw new FormatException($"{where}: unknown property \"{unknown.Keys.First()}\" (allowed: key, rollingStartIntervalNumber, rollingPeriod, reportType, daysSinceOnsetOfSymptoms)");
        }

        var keyData = Hex.Parse(entry.Key, $"{where}: key", TemporaryExposureKey.Length);
        if (entry.RollingStartIntervalNumber is not { } start)
        {
            throw new FormatException($"{where}: rollingStartIntervalNumber is required");
        }

        if (start is < 0 or > ExportBinFormat.MaxRollingStartIntervalNumber)
        {
            throw new FormatException($"{where}: rollingStartIntervalNumber must be 0–{ExportBinFormat.MaxRollingStartIntervalNumber}, got {start}");
        }

        if (entry.RollingPeriod is not { } period)
        {
            throw new FormatException($"{where}: rollingPeriod is required");
        }

        if (period is < 1 or > IntervalNumber.PerDay)
        {
            throw new FormatException($"{where}: rollingPeriod must be 1–{IntervalNumber.PerDay}, got {period}");
        }

        var reportType = (ReportType)(entry.ReportType ?? 0);
        if (!Enum.IsDefined(reportType))
        {
            throw new FormatException($"{where}: reportType must be 0–5 (unknown, confirmed test, clinical diagnosis, self report, recursive, revoked), got {entry.ReportType}");
        }

        return new ExportedKey(new TemporaryExposureKey(keyData, new IntervalNumber(start), period), reportType, entry.DaysSinceOnsetOfSymptoms);
    }
}

internal sealed class KeyEntry
{
    public string? Key { get; set; }

    public int? RollingStartIntervalNumber { get; set; }

    public int? RollingPeriod { get; set; }

    public int? ReportType { get; set; }

    public int? DaysSinceOnsetOfSymptoms { get; set; }

    /// <summary>Collected rather than refused by the serializer, so the error can name the entry.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownProperties { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(List<KeyEntry?>))]
internal sealed partial class KeysFileJsonContext : JsonSerializerContext;

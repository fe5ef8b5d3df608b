using System.Buffers;
using System.Globalization;
using Bluezone.Device.Radio;

namespace Bluezone.Device.Replay;

/// <summary>One line of a scan log: <c>unix_ms,address,rssi,adv_hex</c>.</summary>
public readonly record struct ScanLogRecord(int Line, long UnixMs, BluetoothAddress Address, int Rssi, byte[] Payload)
{
    public ReceivedAdvertisement ToAdvertisement() => new(DateTimeOffset.FromUnixTimeMilliseconds(UnixMs), Address, Rssi, Payload);
}

/// <summary>
/// Reads a scan log (a header, then <c>unix_ms,address,rssi,adv_hex</c> per line) completely before anything
/// is used, so a malformed line stops the replay before it stores anything. The error names the line.
/// Records come back in time order (stable for equal times); identical payloads share one array, so a log of
/// millions of sightings of a few thousand RPIs stays small in memory.
/// </summary>
public static class ScanLog
{
    public const string Header = "unix_ms,address,rssi,adv_hex";

    /// <summary>Largest payload accepted: an extended advertisement's data (Core spec: up to 255 bytes per PDU).</summary>
    public const int MaxPayloadBytes = 255;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static IReadOnlyList<ScanLogRecord> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path));
    }

    public static IReadOnlyList<ScanLogRecord> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var records = new List<ScanLogRecord>();
        var payloads = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        var lineNumber = 0;
        var sorted = true;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (!string.Equals(line.Trim().TrimStart('\uFEFF'), Header, StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{name} line 1: expected the header '{Header}'");
                }

                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var record = ParseLine(line, lineNumber, name, payloads);
            sorted &= records.Count == 0 || records[^1].UnixMs <= record.UnixMs;
            records.Add(record);
        }

        if (lineNumber == 0)
        {
            throw new FormatException($"{name}: the file is empty; expected the header '{Header}'");
        }

        if (!sorted)
        {
            records.Sort(static (a, b) => a.UnixMs != b.UnixMs ? a.UnixMs.CompareTo(b.UnixMs) : a.Line.CompareTo(b.Line));
        }

        return records;
    }

    private static ScanLogRecord ParseLine(string line, int lineNumber, string name, Dictionary<string, byte[]> payloads)
    {
        var fields = line.Split(',');
        if (fields.Length != 4)
        {
            throw Error(name, lineNumber, $"expected 4 comma-separated fields ({Header}), got {fields.Length}");
        }

        if (!long.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs) || unixMs > 253_402_300_799_999)
        {
            throw Error(name, lineNumber, "unix_ms must be a non-negative whole number of milliseconds");
        }

        if (!BluetoothAddress.TryParse(fields[1], out var address))
        {
            throw Error(name, lineNumber, "address must look like AA:BB:CC:DD:EE:FF");
        }

        if (!int.TryParse(fields[2].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rssi) || rssi is < -127 or > 20)
        {
            throw Error(name, lineNumber, "rssi must be a whole number of dBm within −127..20");
        }

        var hex = fields[3].Trim();
        if (!payloads.TryGetValue(hex, out var payload))
        {
            if (hex.Length == 0 || hex.Length % 2 != 0 || hex.Length > 2 * MaxPayloadBytes || hex.AsSpan().ContainsAnyExcept(HexDigits))
            {
                throw Error(name, lineNumber, $"adv_hex must be 1–{MaxPayloadBytes} bytes of hexadecimal digits");
            }

            payload = Convert.FromHexString(hex);
            payloads.Add(hex, payload);
        }

        return new ScanLogRecord(lineNumber, unixMs, address, rssi, payload);
    }

    private static FormatException Error(string name, int line, string problem) => new($"{name} line {line}: {problem}");
}

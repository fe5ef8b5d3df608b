using System.Globalization;
using System.Text;

namespace Bluezone.Device.Proximity;

/// <summary>
/// The per-model calibration table (DESIGN.md §5; the <c>en-calibration</c> CSV: oem, model, rssi correction,
/// tx, has direct measurement). The table is data distributed beside the app, not compiled into it: it is
/// loaded from a path. Lookup: exact model, else the OEM's average, else the global average.
/// </summary>
/// <remarks>
/// Without a table the documented defaults apply: RSSI correction −4 dB and tx −24 dBm, which are the
/// rounded means over all 9,896 rows of the 2020-06-13 table. They are also the "configured default" transmit
/// power assumed for a sender whose metadata cannot be decrypted yet (before a match).
/// </remarks>
public sealed class CalibrationTable
{
    /// <summary>Rounded global mean RSSI correction of the 2020-06-13 table.</summary>
    public const int DefaultRssiCorrection = -4;

    /// <summary>Rounded global mean tx of the 2020-06-13 table.</summary>
    public const sbyte DefaultTxPowerDbm = -24;

    private readonly Dictionary<string, DeviceCalibration> _models;
    private readonly Dictionary<string, DeviceCalibration> _oems;

    private CalibrationTable(Dictionary<string, DeviceCalibration> models, Dictionary<string, DeviceCalibration> oems, DeviceCalibration global)
    {
        _models = models;
        _oems = oems;
        Global = global;
    }

    /// <summary>No table: every phone gets the documented defaults.</summary>
    public static CalibrationTable Defaults { get; } = new(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase), new(DefaultRssiCorrection, DefaultTxPowerDbm, CalibrationSource.GlobalAverage));

    public DeviceCalibration Global { get; }

    public int ModelCount => _models.Count;

    public static CalibrationTable Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Load(reader, Path.GetFileName(path));
    }

    /// <summary>Parses the CSV; a malformed row is an error naming its line, never silently skipped.</summary>
    public static CalibrationTable Load(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var models = new Dictionary<string, DeviceCalibration>(StringComparer.OrdinalIgnoreCase);
        var oemSums = new Dictionary<string, (long Correction, long Tx, int Count)>(StringComparer.OrdinalIgnoreCase);
        long totalCorrection = 0, totalTx = 0;
        var lineNumber = 0;
        var fields = new List<string>(5);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue; // header
            }

            SplitCsv(line, fields);
            if (fields.Count != 5
                || !int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var correction)
                || !sbyte.TryParse(fields[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tx)
                || fields[4] is not ("yes" or "no"))
            {
                throw new FormatException($"{name} line {lineNumber}: expected oem,model,rssi correction,tx,yes|no");
            }

            var source = fields[4] == "yes" ? CalibrationSource.MeasuredModel : CalibrationSource.Model;
            models[Key(fields[0], fields[1])] = new DeviceCalibration(correction, tx, source);
            var sum = oemSums.GetValueOrDefault(fields[0]);
            oemSums[fields[0]] = (sum.Correction + correction, sum.Tx + tx, sum.Count + 1);
            totalCorrection += correction;
            totalTx += tx;
        }

        if (models.Count == 0)
        {
            throw new FormatException($"{name}: the calibration table has no rows");
        }

        var oems = oemSums.ToDictionary(
            p => p.Key,
            p => new DeviceCalibration(RoundedMean(p.Value.Correction, p.Value.Count), (sbyte)RoundedMean(p.Value.Tx, p.Value.Count), CalibrationSource.OemAverage),
            StringComparer.OrdinalIgnoreCase);
        var global = new DeviceCalibration(RoundedMean(totalCorrection, models.Count), (sbyte)RoundedMean(totalTx, models.Count), CalibrationSource.GlobalAverage);
        return new CalibrationTable(models, oems, global);
    }

    /// <summary>Finds a phone's calibration; <paramref name="oem"/> and <paramref name="model"/> may be null when unknown.</summary>
    public DeviceCalibration Find(string? oem, string? model)
    {
        if (oem is not null && model is not null && _models.TryGetValue(Key(oem, model), out var exact))
        {
            return exact;
        }

        return oem is not null && _oems.TryGetValue(oem, out var average) ? average : Global;
    }

    /// <summary>Parses the <c>--model</c> form "OEM,MODEL" (the model may itself contain commas).</summary>
    public DeviceCalibration Find(string? oemAndModel)
    {
        if (string.IsNullOrWhiteSpace(oemAndModel))
        {
            return Global;
        }

        var comma = oemAndModel.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? Find(oemAndModel.Trim(), null) : Find(oemAndModel[..comma].Trim(), oemAndModel[(comma + 1)..].Trim());
    }

    private static string Key(string oem, string model) => oem + "\n" + model;

    private static int RoundedMean(long sum, int count) => (int)Math.Round(sum / (double)count, MidpointRounding.AwayFromZero);

    /// <summary>RFC 4180 fields: quoted fields may hold commas and doubled quotes (some model names do).</summary>
    private static void SplitCsv(string line, List<string> fields)
    {
        fields.Clear();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
    }
}

using System.Globalization;
using Bluezone.Device.Proximity;

namespace Bluezone.Simulation.Radio;

/// <summary>
/// The phone models a city's phones are drawn from: the rows of the calibration table (each row's "OEM,MODEL",
/// rssi correction and tx), or the one documented default phone when no table is given.
/// </summary>
public sealed class PhoneModels
{
    private PhoneModels(CalibrationTable table, IReadOnlyList<PhoneModel> models, string source)
    {
        Table = table;
        Models = models;
        Source = source;
    }

    /// <summary>The table the device cores look their own model up in (the same one the models come from).</summary>
    public CalibrationTable Table { get; }

    public IReadOnlyList<PhoneModel> Models { get; }

    /// <summary>Where the models came from, for the report.</summary>
    public string Source { get; }

    public static PhoneModels Defaults { get; } = new(
        CalibrationTable.Defaults,
        [new PhoneModel(null, CalibrationTable.DefaultRssiCorrection, CalibrationTable.DefaultTxPowerDbm)],
        "device defaults (rssi correction −4, tx −24 dBm)");

    /// <summary>Loads the table at <paramref name="path"/>; a null path or a missing file gives <see cref="Defaults"/>.</summary>
    public static PhoneModels Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return Defaults;
        }

        var table = CalibrationTable.Load(path);
        var models = new List<PhoneModel>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            // The table's own parser has validated the file; here only the model names are needed.
            var fields = line.Split(',');
            if (fields.Length < 4)
            {
                continue;
            }

            var name = fields[0].Trim() + "," + fields[1].Trim();
            var calibration = table.Find(name);
            models.Add(new PhoneModel(name, calibration.RssiCorrection, calibration.TxPowerDbm));
        }

        return models.Count == 0 ? Defaults : new PhoneModels(table, models, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)} ({models.Count} models)"));
    }
}

/// <summary>One phone model: its name for the calibration lookup and how its radio actually behaves.</summary>
/// <param name="RssiCorrection">What this model's RSSI is off by (android RSSI + correction = iPhone RSSI).</param>
/// <param name="TxPowerDbm">Its transmit power as an iPhone would report it.</param>
public sealed record PhoneModel(string? Name, int RssiCorrection, sbyte TxPowerDbm);

namespace Bluezone.Device.Proximity;

/// <summary>How a calibration was found: the more specific, the more it can be trusted.</summary>
public enum CalibrationSource
{
    /// <summary>Neither model nor OEM is in the table (or no table was loaded): the global average.</summary>
    GlobalAverage,

    /// <summary>The OEM is known but not the model: the average of that OEM's rows.</summary>
    OemAverage,

    /// <summary>The model has a row, estimated rather than measured.</summary>
    Model,

    /// <summary>The model has a row backed by a direct measurement.</summary>
    MeasuredModel,
}

/// <summary>
/// A phone model's radio calibration (DESIGN.md §5): <see cref="RssiCorrection"/> is added to the RSSI the phone
/// reports; <see cref="TxPowerDbm"/> is the transmit power it announces in its own metadata.
/// </summary>
public readonly record struct DeviceCalibration(int RssiCorrection, sbyte TxPowerDbm, CalibrationSource Source)
{
    /// <summary>
    /// The calibration confidence field of the metadata (two bits): 0 global guess, 1 OEM average,
    /// 2 model row without measurement, 3 directly measured. The Exposure Notification specification names
    /// four levels from "no calibration" to "measured"; this maps the table's evidence onto them.
    /// </summary>
    public byte Confidence => (byte)Source;

    /// <summary>Attenuation = txPower − (RSSI + rssiCorrection of the receiving phone).</summary>
    public int AttenuationOf(int rssi, int senderTxPowerDbm) => senderTxPowerDbm - (rssi + RssiCorrection);
}

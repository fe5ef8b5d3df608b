namespace Bluezone.Device.Radio;

/// <summary>
/// One advertisement as the radio heard it: when, from which (random) address, how strong, and the raw
/// advertising payload. A scanner delivers many per second; this is a struct so that delivering one
/// allocates nothing beyond the payload bytes the platform already handed over.
/// </summary>
/// <param name="Time">When it was received (from the host's <see cref="TimeProvider"/> or the log).</param>
/// <param name="Address">The advertiser's Bluetooth address; kept in memory at most 60 s, never stored.</param>
/// <param name="Rssi">Received signal strength in dBm, as this phone's radio reports it.</param>
/// <param name="Payload">The raw advertising data (AD structures), up to 31 bytes for legacy advertising.</param>
/// <param name="TxPowerDbm">The TX Power Level AD field when the advertiser included one (non-Bluezone devices may).</param>
public readonly record struct ReceivedAdvertisement(
    DateTimeOffset Time,
    BluetoothAddress Address,
    int Rssi,
    ReadOnlyMemory<byte> Payload,
    sbyte? TxPowerDbm = null);

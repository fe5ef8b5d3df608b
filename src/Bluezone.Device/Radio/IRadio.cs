namespace Bluezone.Device.Radio;

/// <summary>
/// The one port a platform implements (Android, iOS, BlueZ, the simulator, a replayed log). The device
/// core decides what to broadcast and when to scan; the radio only does it. Implementations must not
/// call back into the device on their own threads concurrently with <see cref="BluezoneDevice.Pump"/>:
/// the core has no locks and no threads of its own, the host serialises calls.
/// </summary>
public interface IRadio
{
    /// <summary>
    /// Starts (or replaces) non-connectable advertising of <paramref name="payload"/> from
    /// <paramref name="address"/>, one advertising event every <paramref name="interval"/>. A call with a new
    /// payload and address is a rotation: the old pair must not be sent again.
    /// </summary>
    void StartAdvertising(ReadOnlySpan<byte> payload, BluetoothAddress address, TimeSpan interval);

    void StopAdvertising();

    /// <summary>Starts scanning; every advertisement heard is passed to <paramref name="receiver"/> until <see cref="StopScanning"/>.</summary>
    void StartScanning(IAdvertisementReceiver receiver);

    void StopScanning();
}

/// <summary>Where a radio delivers what it hears.</summary>
public interface IAdvertisementReceiver
{
    void OnAdvertisement(in ReceivedAdvertisement advertisement);

    /// <summary>
    /// Several advertisements at once, in time order: Android's batched scan results, or a host that hands
    /// over one sender's advertisements of a whole scan (the simulator). The same as taking them one by one.
    /// </summary>
    void OnAdvertisements(ReadOnlySpan<ReceivedAdvertisement> advertisements)
    {
        foreach (ref readonly var advertisement in advertisements)
        {
            OnAdvertisement(advertisement);
        }
    }

    /// <summary>
    /// One sender's advertisements, in time order, as columns: its address and payload once, then each
    /// sighting's time (UTC ticks) and RSSI. The same as taking them one by one; a host that simulates the radio
    /// (thousands of phones hearing each other) hands them over this way without building an advertisement per
    /// sighting.
    /// </summary>
    void OnAdvertisements(BluetoothAddress address, ReadOnlyMemory<byte> payload, ReadOnlySpan<long> utcTicks, ReadOnlySpan<int> rssi)
    {
        if (utcTicks.Length != rssi.Length)
        {
            throw new ArgumentException("One RSSI per sighting time.", nameof(rssi));
        }

        for (var i = 0; i < utcTicks.Length; i++)
        {
            OnAdvertisement(new ReceivedAdvertisement(new DateTimeOffset(utcTicks[i], TimeSpan.Zero), address, rssi[i], payload));
        }
    }
}

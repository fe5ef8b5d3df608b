namespace Bluezone.Device.Radio;

/// <summary>
/// A radio made of memory, for tests, replayed logs and the simulator: it remembers what it was told to
/// broadcast and hands advertisements to the device only while a scan is running, as real hardware would.
/// </summary>
public sealed class InMemoryRadio : IRadio
{
    private readonly bool _reusePayloadBuffer;
    private byte[]? _payload;
    private byte[]? _buffer;
    private int _payloadLength;
    private IAdvertisementReceiver? _receiver;

    /// <param name="reusePayloadBuffer">
    /// Write each new payload into the same buffer instead of a new array, so what <see cref="Payload"/> gave
    /// changes at the next <see cref="StartAdvertising"/>. For a host that reads the payload only while it hands
    /// it over (the simulator, whose phones rotate millions of times), never for one that keeps it.
    /// </param>
    public InMemoryRadio(bool reusePayloadBuffer = false) => _reusePayloadBuffer = reusePayloadBuffer;

    /// <summary>The payload being broadcast now, or null when advertising is stopped.</summary>
    public ReadOnlyMemory<byte>? Payload => _payload is null ? (ReadOnlyMemory<byte>?)null : _payload.AsMemory(0, _payloadLength);

    public BluetoothAddress? Address { get; private set; }

    public TimeSpan AdvertisingInterval { get; private set; }

    public bool IsAdvertising => _payload is not null;

    public bool IsScanning => _receiver is not null;

    /// <summary>How many times the broadcast payload and address were replaced (rotations, including the first start).</summary>
    public int AdvertisingChanges { get; private set; }

    /// <summary>How many scans were started.</summary>
    public int ScansStarted { get; private set; }

    public void StartAdvertising(ReadOnlySpan<byte> payload, BluetoothAddress address, TimeSpan interval)
    {
        if (payload.IsEmpty || payload.Length > 31)
        {
            throw new ArgumentException("A legacy advertisement carries 1–31 bytes.", nameof(payload));
        }

        if (_reusePayloadBuffer)
        {
            _buffer ??= new byte[31];
            payload.CopyTo(_buffer);
            _payload = _buffer;
        }
        else
        {
            _payload = payload.ToArray();
        }

        _payloadLength = payload.Length;
        Address = address;
        AdvertisingInterval = interval;
        AdvertisingChanges++;
    }

    public void StopAdvertising()
    {
        _payload = null;
        Address = null;
    }

    public void StartScanning(IAdvertisementReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        _receiver = receiver;
        ScansStarted++;
    }

    public void StopScanning() => _receiver = null;

    /// <summary>Something on the air reached the antenna; it is heard only while scanning. Returns whether it was heard.</summary>
    public bool Deliver(in ReceivedAdvertisement advertisement)
    {
        if (_receiver is null)
        {
            return false;
        }

        _receiver.OnAdvertisement(advertisement);
        return true;
    }

    /// <summary>Several advertisements in time order (a batch, as a scanner with a report delay hands them over).</summary>
    public bool Deliver(ReadOnlySpan<ReceivedAdvertisement> advertisements)
    {
        if (_receiver is null)
        {
            return false;
        }

        _receiver.OnAdvertisements(advertisements);
        return true;
    }

    /// <summary>One sender's advertisements as columns (see <see cref="IAdvertisementReceiver.OnAdvertisements(BluetoothAddress, ReadOnlyMemory{byte}, ReadOnlySpan{long}, ReadOnlySpan{int})"/>).</summary>
    public bool Deliver(BluetoothAddress address, ReadOnlyMemory<byte> payload, ReadOnlySpan<long> utcTicks, ReadOnlySpan<int> rssi)
    {
        if (_receiver is null)
        {
            return false;
        }

        _receiver.OnAdvertisements(address, payload, utcTicks, rssi);
        return true;
    }
}

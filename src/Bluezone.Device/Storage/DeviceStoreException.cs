namespace Bluezone.Device.Storage;

/// <summary>
/// The store on disk cannot be used as it is: damaged, truncated, not a Bluezone store, written by a newer
/// version, or its key file is missing. The store is never repaired or replaced behind the user's back; the
/// app tells the user and offers "delete all my data". The message names the file, never any key material.
/// </summary>
public sealed class DeviceStoreException : IOException
{
    public DeviceStoreException()
    {
    }

    public DeviceStoreException(string message)
        : base(message)
    {
    }

    public DeviceStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

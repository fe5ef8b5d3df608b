using Bluezone.Device.Storage;
using Bluezone.Protocol;
using Bluezone.Protocol.Configuration;

namespace Bluezone.Device.Sync;

/// <summary>The configuration a phone uses: the last verified one it stored, else the built-in default.</summary>
public static class StoredConfiguration
{
    public static DeviceConfiguration Load(IExposureStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.LoadSyncState().ConfigurationJson is not { } json)
        {
            return DeviceConfiguration.Default;
        }

        try
        {
            return DeviceConfiguration.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        }
        catch (ProtocolFormatException)
        {
            // It was verified and valid when stored; a newer app may read it differently. The default is safe.
            return DeviceConfiguration.Default;
        }
    }
}

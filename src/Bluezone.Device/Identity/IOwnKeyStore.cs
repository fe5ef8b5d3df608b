using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Identity;

/// <summary>Where the phone keeps its own daily keys (encrypted at rest by the SQLite store).</summary>
public interface IOwnKeyStore
{
    IReadOnlyList<TemporaryExposureKey> LoadOwnKeys();

    /// <summary>Saves a key, replacing the one with the same rolling start.</summary>
    void SaveOwnKey(TemporaryExposureKey key);
}

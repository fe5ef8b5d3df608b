using Bluezone.Protocol.Configuration;
using Bluezone.Server.Exports;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Configuration;

/// <summary>Builds and signs the configuration once, at first request after start.</summary>
public sealed class SignedConfiguration(IOptions<DeviceConfigurationOptions> options, ExportSigningKey signingKey, TimeProvider time)
{
    private readonly Lazy<SignedDeviceConfiguration> _signed = new(() => Sign(options.Value, signingKey, time.GetUtcNow()));

    public SignedDeviceConfiguration Current => _signed.Value;

    private static SignedDeviceConfiguration Sign(DeviceConfigurationOptions options, ExportSigningKey key, DateTimeOffset now) =>
        SignedDeviceConfiguration.Sign(options.ToConfiguration(now), key.Key, key.Info);
}

namespace Bluezone.Device.Sync;

/// <summary>What the phone remembers between syncs.</summary>
/// <param name="Joined">The install has been counted in the community (done once).</param>
/// <param name="IndexETag">ETag of the last index whose files were all processed; sent as If-None-Match.</param>
/// <param name="ConfigurationJson">The last verified, valid device configuration (its JSON payload).</param>
/// <param name="PinnedPublicKeyPem">The export signing key this phone trusts (SubjectPublicKeyInfo PEM).</param>
/// <param name="ProcessedFiles">Export files fully processed (matched, scored, recorded).</param>
public sealed record SyncState(bool Joined, string? IndexETag, string? ConfigurationJson, string? PinnedPublicKeyPem, IReadOnlySet<string> ProcessedFiles);

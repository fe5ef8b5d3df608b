using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Storage;

/// <summary>
/// Newly published keys as a coded contact log can recognise them: by sender for the entries kept as a code
/// (<see cref="CodedSenders"/>), by identifier for the entries kept in full. What
/// <see cref="InMemoryDeviceStore.LoadScanInstancesByIdentifier(PublishedSources)"/> reads a phone's log for.
/// </summary>
/// <remarks>
/// Read-only once built, so phones can be read in parallel: <paramref name="isPublished"/> must be safe to call
/// from several threads.
/// </remarks>
/// <param name="senders">The senders whose key of a day was published.</param>
/// <param name="isPublished">Whether an identifier is one of the published keys' RPIs.</param>
public sealed class PublishedSources(CodedSenders senders, Func<RollingProximityIdentifier, bool> isPublished)
{
    private readonly Func<RollingProximityIdentifier, bool> _isPublished = isPublished ?? throw new ArgumentNullException(nameof(isPublished));

    /// <summary>The senders whose key of a day was published (what <see cref="InMemoryDeviceStore.HeardAnyOf"/> checks).</summary>
    public CodedSenders Senders { get; } = senders ?? throw new ArgumentNullException(nameof(senders));

    /// <summary>
    /// Whether an entry coded on <paramref name="unixDay"/> from <paramref name="sender"/> may be of a published
    /// key: a code decodes to an RPI of its sender's key of that day or of the day before (an RPI heard just
    /// after midnight).
    /// </summary>
    public bool HeardFrom(int unixDay, int sender) =>
        Senders.Contains(unixDay, sender) || Senders.Contains(unixDay - 1, sender);

    /// <summary>Whether an identifier kept in full is a published one.</summary>
    public bool IsPublished(RollingProximityIdentifier identifier) => _isPublished(identifier);
}

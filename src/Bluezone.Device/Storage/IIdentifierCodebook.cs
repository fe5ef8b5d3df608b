using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Storage;

/// <summary>
/// A simulation's dictionary of every identifier its phones broadcast: an (RPI, AEM) heard from one of them is
/// (sender, slot of the day), four bytes instead of twenty, and the sender's key gives the twenty back. Lets
/// <see cref="InMemoryDeviceStore"/> hold a city's contact logs; a phone has nothing like it (nor needs it).
/// </summary>
/// <remarks>
/// A code of an identifier heard on day d comes from its sender's key of d or of d − 1 (an RPI stays on the air
/// a little past midnight): <see cref="InMemoryDeviceStore.HeardAnyOf"/> relies on it.
/// Every method may be called from several threads at once (phones are pumped in parallel); the
/// implementation changes its tables only while no phone runs.
/// </remarks>
public interface IIdentifierCodebook
{
    /// <summary>Whether identifiers heard on <paramref name="unixDay"/> can be encoded now.</summary>
    bool CanEncode(int unixDay);

    /// <summary>
    /// The code of an identifier heard on <paramref name="unixDay"/>: only if it is exactly (RPI and AEM) what
    /// <see cref="Decode"/> gives back for that code.
    /// </summary>
    bool TryEncode(int unixDay, RollingProximityIdentifier rpi, AssociatedEncryptedMetadata aem, out IdentifierCode code);

    /// <summary>
    /// Whether <paramref name="rpi"/> is one of the codebook's for <paramref name="unixDay"/>, whatever AEM it
    /// came with (an RPI heard with an AEM that is not its sender's cannot be encoded; the store then keeps the
    /// whole day in full, so that one RPI is never held both ways).
    /// </summary>
    bool Knows(int unixDay, RollingProximityIdentifier rpi);

    /// <summary>The RPIs and AEMs of <paramref name="sender"/>'s <paramref name="slots"/>, as heard on <paramref name="unixDay"/>.</summary>
    void Decode(int unixDay, int sender, ReadOnlySpan<byte> slots, Span<RollingProximityIdentifier> rpis, Span<AssociatedEncryptedMetadata> aems);
}

/// <summary>An encoded identifier: who sent it (0 or more) and which of its identifiers of the day it was (0–255).</summary>
public readonly record struct IdentifierCode(int Sender, byte Slot);

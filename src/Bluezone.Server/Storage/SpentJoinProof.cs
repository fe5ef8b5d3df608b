namespace Bluezone.Server.Storage;

/// <summary>
/// The hash of a join proof already counted, kept only until its challenge expires, so a proof cannot be
/// replayed. It is a hash of random bytes chosen for one join, not an identifier of the device.
/// </summary>
public sealed class SpentJoinProof
{
    public required byte[] ProofHash { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bluezone.Server.Community;

public sealed record CommunityCount(
    [property: Description("Installs counted so far.")] long Total,
    [property: Description("When the count last changed (or now, if it never has).")] DateTimeOffset UpdatedAt);

public sealed record JoinChallenge(
    [property: Description("Opaque, base64url; send it back with the proof.")] string Challenge,
    [property: Description("Leading zero bits that SHA-256(\"BZ-JOIN-v1\" ‖ challenge bytes ‖ nonce) must have.")] int DifficultyBits,
    DateTimeOffset ExpiresAt);

public sealed class JoinRequest
{
    [Description("A challenge from GET /v1/community/challenge."), Required, StringLength(64)]
    public string? Challenge { get; init; }

    [Description("1–64 random bytes, base64, found by the app so that the proof's hash has the required zero bits."), Required, StringLength(100)]
    public string? Nonce { get; init; }
}

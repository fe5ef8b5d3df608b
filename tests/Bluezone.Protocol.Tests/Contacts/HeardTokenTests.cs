using System.Security.Cryptography;
using System.Text;
using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Keys;

namespace Bluezone.Protocol.Tests.Contacts;

public sealed class HeardTokenTests
{
    [Fact]
    public void Token_is_the_first_16_bytes_of_sha256_of_the_label_and_rpi()
    {
        var rpi = RollingProximityIdentifier.Parse("8be6cd371c5c891604bfbe49df845096");
        var expected = SHA256.HashData([.. Encoding.ASCII.GetBytes("BZ-HEARD-v1"), .. rpi.ToArray()])[..16];
        Assert.Equal(Hex.Format(expected), HeardToken.FromRollingProximityIdentifier(rpi).ToString());
    }

    [Fact]
    public void Tokens_round_trip_through_bytes_and_differ_per_rpi()
    {
        var a = HeardToken.FromRollingProximityIdentifier(RollingProximityIdentifier.Parse("8be6cd371c5c891604bfbe49df845096"));
        var b = HeardToken.FromRollingProximityIdentifier(RollingProximityIdentifier.Parse("3c9a1de5dd6b02afa7fded7b570b3e56"));
        Assert.NotEqual(a, b);
        Assert.Equal(a, HeardToken.FromBytes(a.ToArray()));
        Assert.Throws<ProtocolFormatException>(() => HeardToken.FromBytes(new byte[15]));
    }
}

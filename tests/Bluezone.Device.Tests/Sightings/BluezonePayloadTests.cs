using Bluezone.Device.Sightings.Internal;
using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Tests.Sightings;

public sealed class BluezonePayloadTests
{
    private static readonly BluezoneAdvertisement Sent = new(new RollingProximityIdentifier(0x0102030405060708, 0x090A0B0C0D0E0F10), new AssociatedEncryptedMetadata(0xA1B2C3D4));

    private static string ServiceData => "1716564E" + Convert.ToHexString(Sent.ToArray().AsSpan(11));

    [Theory]
    [InlineData("exact")]
    [InlineData("padded")]
    [InlineData("with tx power")]
    [InlineData("service data only")]
    [InlineData("with scan response")]
    public void The_Bluezone_service_data_is_found_however_the_platform_framed_it(string framing)
    {
        var hex = framing switch
        {
            "exact" => Convert.ToHexString(Sent.ToArray()),
            "padded" => Convert.ToHexString(Sent.ToArray()) + new string('0', 62),
            "with tx power" => "020106" + "020AF4" + ServiceData,
            "service data only" => ServiceData,
            _ => Convert.ToHexString(Sent.ToArray()) + "0909426C75657A6F6E65",
        };

        Assert.True(BluezonePayload.TryExtract(Convert.FromHexString(hex), out var heard));
        Assert.Equal(Sent, heard);
    }

    [Theory]
    [InlineData("0201060AFF4C001005031C2B3D4E")] // an ordinary manufacturer advertisement
    [InlineData("1616564E0102030405060708090A0B0C0D0E0F10A1B2C3")] // Bluezone UUID, AEM one byte short
    [InlineData("1716AAFE0102030405060708090A0B0C0D0E0F10A1B2C3D4")] // 20 bytes of service data for another UUID
    [InlineData("1816564E0102030405060708090A0B0C0D0E0F10A1B2C3D4")] // declares one byte more than there is
    public void Other_advertisements_are_not_Bluezone(string hex) =>
        Assert.False(BluezonePayload.TryExtract(Convert.FromHexString(hex), out _));
}

using Bluezone.Protocol.Advertising;
using Bluezone.Protocol.Keys;
using CsCheck;

namespace Bluezone.Protocol.Tests.Advertising;

public sealed class BluezoneAdvertisementTests
{
    private static readonly BluezoneAdvertisement Sample = new(
        RollingProximityIdentifier.Parse("8be6cd371c5c891604bfbe49df845096"),
        AssociatedEncryptedMetadata.FromBytes(Convert.FromHexString("72033874")));

    [Fact]
    public void Builds_the_31_bytes_of_the_design()
    {
        Assert.Equal("0201", Hex.Format(Sample.ToArray().AsSpan(0, 2)));
        Assert.Equal("02011a0303564e1716564e8be6cd371c5c891604bfbe49df84509672033874", Hex.Format(Sample.ToArray()));
    }

    [Fact]
    public void Parses_what_it_builds()
    {
        Assert.Equal(Sample, BluezoneAdvertisement.Parse(Sample.ToArray()));
        Assert.True(BluezoneAdvertisement.TryParse(Sample.ToArray(), out var parsed));
        Assert.Equal(Sample, parsed);
    }

    [Fact]
    public void Service_uuid_is_the_16_bit_vn_uuid_in_base_uuid_form()
    {
        Assert.Equal(0x4E56, BluezoneAdvertisement.ServiceUuid16);
        Assert.Equal("00004e56-0000-1000-8000-00805f9b34fb", BluezoneAdvertisement.ServiceUuid.ToString());
    }

    [Theory]
    [InlineData("02011a0303564e1716564e8be6cd371c5c891604bfbe49df845096720338", "31 bytes")]
    [InlineData("02011a0303564e1716564e8be6cd371c5c891604bfbe49df8450967203387400", "31 bytes")]
    [InlineData("02011a0303564f1716564e8be6cd371c5c891604bfbe49df84509672033874", "service UUID list")]
    [InlineData("02011a0303564e17166fFD8be6cd371c5c891604bfbe49df84509672033874", "0xFD6F")]
    [InlineData("02011a0303564e1816564e8be6cd371c5c891604bfbe49df84509672033874", "truncated")]
    [InlineData("02011a0303564e1516564e8be6cd371c5c891604bfbe49df845096720302ff", "22 bytes")]
    [InlineData("02ff1a0303564e1716564e8be6cd371c5c891604bfbe49df84509672033874", "unexpected AD type 0xFF")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000", "no Bluezone service data")]
    [InlineData("02011a0002564e1716564e8be6cd371c5c891604bfbe49df84509672033874", "length 0")]
    public void Malformed_advertisements_are_format_errors_that_say_what_is_wrong(string hex, string expected)
    {
        var bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<ProtocolFormatException>(() => BluezoneAdvertisement.Parse(bytes));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(BluezoneAdvertisement.TryParse(bytes, out _));
    }

    [Fact]
    public void Random_bytes_only_ever_give_format_errors()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            try
            {
                BluezoneAdvertisement.Parse(bytes);
            }
            catch (ProtocolFormatException)
            {
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Mutations_of_a_valid_advertisement_parse_or_give_format_errors()
    {
        var valid = Sample.ToArray();
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 4].Sample(mutations =>
        {
            var bytes = (byte[])valid.Clone();
            foreach (var (index, value) in mutations)
            {
                bytes[index] = value;
            }

            try
            {
                // Whatever parses must rebuild to the same bytes; only the flags value is not checked.
                var rebuilt = BluezoneAdvertisement.Parse(bytes).ToArray();
                rebuilt[2] = bytes[2];
                Assert.Equal(bytes, rebuilt);
            }
            catch (ProtocolFormatException)
            {
            }
        }, iter: 20_000);
    }
}

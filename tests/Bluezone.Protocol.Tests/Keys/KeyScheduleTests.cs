using System.Text.Json;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Tests;

namespace Bluezone.Protocol.Tests.Keys;

public sealed class KeyScheduleTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("gaen/test-vectors.json"))).RootElement;

    private static byte[] VectorBytes(string name) => Convert.FromHexString(Vectors.GetProperty(name).GetString()!);

    [Fact]
    public void Derived_keys_match_the_specification_vectors()
    {
        var tek = VectorBytes("tek");
        Assert.Equal(Hex.Format(VectorBytes("rpik")), Hex.Format(KeySchedule.DeriveRollingProximityIdentifierKey(tek)));
        Assert.Equal(Hex.Format(VectorBytes("aemk")), Hex.Format(KeySchedule.DeriveAssociatedEncryptedMetadataKey(tek)));
    }

    [Fact]
    public void All_144_identifiers_and_metadata_match_the_specification_vectors()
    {
        var tek = VectorBytes("tek");
        var metadata = VectorBytes("metadata");
        var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(tek);
        var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(tek);
        var intervals = Vectors.GetProperty("intervals").EnumerateArray().ToList();
        Assert.Equal(IntervalNumber.PerDay, intervals.Count);
        foreach (var vector in intervals)
        {
            var interval = new IntervalNumber(vector.GetProperty("interval").GetInt32());
            var rpi = KeySchedule.ComputeRollingProximityIdentifier(rpik, interval);
            Assert.Equal(vector.GetProperty("rpi").GetString(), rpi.ToString());
            Assert.Equal(vector.GetProperty("aem").GetString(), KeySchedule.EncryptMetadata(aemk, rpi, metadata).ToString());
        }
    }

    [Fact]
    public void Vector_key_starts_at_the_vector_day()
    {
        var generated = IntervalNumber.FromUnixSeconds(Vectors.GetProperty("key_generation_unix_seconds").GetInt64());
        Assert.Equal(Vectors.GetProperty("rolling_start_interval_number").GetInt32(), generated.DayStart.Value);
    }

    [Fact]
    public void Metadata_decrypts_to_the_transmit_power_it_was_encrypted_with()
    {
        var tek = TemporaryExposureKey.Generate(new IntervalNumber(2_700_000));
        var aemk = KeySchedule.DeriveAssociatedEncryptedMetadataKey(tek.KeyData);
        var rpi = KeySchedule.ComputeRollingProximityIdentifier(KeySchedule.DeriveRollingProximityIdentifierKey(tek.KeyData), tek.RollingStartIntervalNumber + 5);
        var metadata = AdvertisementMetadata.ForTxPower(-17, calibrationConfidence: 3);
        var aem = KeySchedule.EncryptMetadata(aemk, rpi, metadata.ToArray());
        Assert.Equal(metadata, KeySchedule.DecryptMetadata(aemk, rpi, aem));
    }

    [Fact]
    public void Metadata_encodes_version_confidence_and_power_as_specified()
    {
        Assert.Equal("40080000", Hex.Format(AdvertisementMetadata.Default.ToArray()));
        Assert.Equal("4cec0000", Hex.Format(AdvertisementMetadata.ForTxPower(-20, 3).ToArray()));
        Assert.Equal(new AdvertisementMetadata(1, 0, 3, -20), AdvertisementMetadata.Decode(Convert.FromHexString("4cec0000")));
    }

    [Fact]
    public void Generated_keys_start_their_day_and_differ()
    {
        var interval = new IntervalNumber(2_700_000 + 77);
        var a = TemporaryExposureKey.Generate(interval);
        var b = TemporaryExposureKey.Generate(interval);
        Assert.Equal(interval.DayStart, a.RollingStartIntervalNumber);
        Assert.True(a.RollingStartIntervalNumber.IsDayStart);
        Assert.Equal(144, a.RollingPeriod);
        Assert.NotEqual(a, b);
        Assert.True(a.Covers(interval));
        Assert.False(a.Covers(a.ExpiryIntervalNumber));
    }
}

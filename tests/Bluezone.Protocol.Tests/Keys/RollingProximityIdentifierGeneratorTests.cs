using System.Text.Json;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Keys.Internal;
using Bluezone.Protocol.Time;
using Bluezone.Tests;

namespace Bluezone.Protocol.Tests.Keys;

/// <summary>
/// Every path of the batched generator (each SHA-256 lane width, each AES engine) is held to the
/// one-key-at-a-time reference <see cref="KeySchedule"/>. The paths are chosen explicitly so all of them
/// run on a machine that has the instructions; where one is missing, the test checks that it refuses.
/// </summary>
public sealed class RollingProximityIdentifierGeneratorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("gaen/test-vectors.json"))).RootElement;

    public static TheoryData<int> Sha256Engines => [(int)Sha256Engine.Scalar, (int)Sha256Engine.Vector256, (int)Sha256Engine.Vector512];

    public static TheoryData<int> AesEngines => [(int)AesEngine.Platform, (int)AesEngine.AesNi];

    public static TheoryData<int, int> AllEngines
    {
        get
        {
            var data = new TheoryData<int, int>();
            foreach (var sha in Enum.GetValues<Sha256Engine>())
            {
                foreach (var aes in Enum.GetValues<AesEngine>())
                {
                    data.Add((int)sha, (int)aes);
                }
            }

            return data;
        }
    }

    private static byte[] VectorBytes(string name) => Convert.FromHexString(Vectors.GetProperty(name).GetString()!);

    [Fact]
    public void A_days_metadata_encrypted_at_once_equals_the_reference_one_RPI_at_a_time()
    {
        var random = new Random(11);
        var aemk = new byte[16];
        random.NextBytes(aemk);
        var rpis = Enumerable.Range(0, IntervalNumber.PerDay).Select(_ => new RollingProximityIdentifier((ulong)random.NextInt64(), (ulong)random.NextInt64())).ToArray();
        var metadata = AdvertisementMetadata.ForTxPower(-17);
        var aems = new AssociatedEncryptedMetadata[rpis.Length];

        RollingProximityIdentifierGenerator.EncryptMetadata(aemk, rpis, metadata, aems);

        for (var i = 0; i < rpis.Length; i++)
        {
            Assert.Equal(KeySchedule.EncryptMetadata(aemk, rpis[i], metadata.ToArray()), aems[i]);
            Assert.Equal(-17, KeySchedule.DecryptMetadata(aemk, rpis[i], aems[i]).TxPowerDbm);
        }

        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.EncryptMetadata(aemk, rpis, metadata, new AssociatedEncryptedMetadata[3]));
        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.EncryptMetadata(new byte[15], rpis, metadata, aems));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)] // more than a day's blocks: rented
    [InlineData(1500)] // more keystreams than the stack holds
    public void Batch_decryption_gives_each_sightings_metadata_as_one_at_a_time(int count)
    {
        var random = new Random(7);
        var aemk = new byte[16];
        random.NextBytes(aemk);
        var rpis = Enumerable.Range(0, count).Select(_ => new RollingProximityIdentifier((ulong)random.NextInt64(), (ulong)random.NextInt64())).ToArray();

        // Random AEMs: other senders' metadata, replays, garbage: each decrypts to whatever it decrypts to alone.
        var aems = rpis.Select(_ => new AssociatedEncryptedMetadata((uint)random.Next())).ToArray();
        var metadata = new AdvertisementMetadata[rpis.Length];

        RollingProximityIdentifierGenerator.DecryptMetadata(aemk, rpis, aems, metadata);

        Assert.Equal(rpis.Select((rpi, i) => KeySchedule.DecryptMetadata(aemk, rpi, aems[i])), metadata);
        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DecryptMetadata(aemk, rpis, aems.AsSpan(1), metadata));
        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DecryptMetadata(aemk, rpis, aems, new AdvertisementMetadata[3]));
        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DecryptMetadata(new byte[15], rpis, aems, metadata));
    }

    [Theory]
    [MemberData(nameof(Sha256Engines))]
    public void Derived_keys_match_the_specification_vectors(int engineNumber)
    {
        var engine = (Sha256Engine)engineNumber;
        if (!HkdfBatch.IsSupported(engine))
        {
            Assert.Throws<PlatformNotSupportedException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(new byte[16], new byte[16], engine));
            return;
        }

        // The vector key in every lane position of a full batch and a ragged one.
        foreach (var count in new[] { 1, 17, 33 })
        {
            var teks = Enumerable.Repeat(VectorBytes("tek"), count).SelectMany(k => k).ToArray();
            var rpiks = new byte[teks.Length];
            var aemks = new byte[teks.Length];
            RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(teks, rpiks, engine);
            RollingProximityIdentifierGenerator.DeriveAssociatedEncryptedMetadataKeys(teks, aemks, engine);
            for (var k = 0; k < count; k++)
            {
                Assert.Equal(Vectors.GetProperty("rpik").GetString(), Hex.Format(rpiks.AsSpan(k * 16, 16)));
                Assert.Equal(Vectors.GetProperty("aemk").GetString(), Hex.Format(aemks.AsSpan(k * 16, 16)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AesEngines))]
    public void All_144_identifiers_match_the_specification_vectors(int engineNumber)
    {
        var engine = (AesEngine)engineNumber;
        var rpik = VectorBytes("rpik");
        var first = new IntervalNumber(Vectors.GetProperty("rolling_start_interval_number").GetInt32());
        var rpis = new RollingProximityIdentifier[IntervalNumber.PerDay];
        if (!RollingProximityIdentifierCipher.IsSupported(engine))
        {
            Assert.Throws<PlatformNotSupportedException>(() => RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(rpik, first, rpis, engine));
            return;
        }

        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(rpik, first, rpis, engine);
        var expected = Vectors.GetProperty("intervals").EnumerateArray().ToList();
        Assert.Equal(IntervalNumber.PerDay, expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(first.Value + i, expected[i].GetProperty("interval").GetInt32());
            Assert.Equal(expected[i].GetProperty("rpi").GetString(), rpis[i].ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllEngines))]
    public void The_whole_day_of_the_vector_key_matches_the_specification_vectors(int shaNumber, int aesNumber)
    {
        var (sha, aes) = ((Sha256Engine)shaNumber, (AesEngine)aesNumber);
        if (!HkdfBatch.IsSupported(sha) || !RollingProximityIdentifierCipher.IsSupported(aes))
        {
            return; // each unsupported engine is checked to refuse in the single-engine tests above
        }

        var start = new IntervalNumber(Vectors.GetProperty("rolling_start_interval_number").GetInt32());
        var rpis = new RollingProximityIdentifier[IntervalNumber.PerDay];
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(VectorBytes("tek"), [start], rpis, sha, aes);
        var expected = Vectors.GetProperty("intervals").EnumerateArray().Select(v => v.GetProperty("rpi").GetString()).ToList();
        Assert.Equal(expected, rpis.Select(r => r.ToString()));
    }

    [Theory]
    [MemberData(nameof(AllEngines))]
    public void Random_keys_in_batches_of_every_size_match_the_reference(int shaNumber, int aesNumber)
    {
        var (sha, aes) = ((Sha256Engine)shaNumber, (AesEngine)aesNumber);
        if (!HkdfBatch.IsSupported(sha) || !RollingProximityIdentifierCipher.IsSupported(aes))
        {
            return; // each unsupported engine is checked to refuse in the single-engine tests above
        }

        var random = new Random(20260401 + (shaNumber * 7) + aesNumber);

        // Sizes around every lane count (1, 8, 16) and the internal batch of 64, plus 0.
        foreach (var count in new[] { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 130 })
        {
            var teks = new byte[count * 16];
            random.NextBytes(teks);
            var starts = Enumerable.Range(0, count).Select(_ => new IntervalNumber(random.Next(0, 4_000_000))).ToArray();
            var rpis = new RollingProximityIdentifier[count * IntervalNumber.PerDay];
            RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(teks, starts, rpis, sha, aes);
            var rpiks = new byte[teks.Length];
            RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(teks, rpiks, sha);
            var aemks = new byte[teks.Length];
            RollingProximityIdentifierGenerator.DeriveAssociatedEncryptedMetadataKeys(teks, aemks, sha);

            for (var k = 0; k < count; k++)
            {
                var tek = teks.AsSpan(k * 16, 16);
                var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(tek);
                Assert.Equal(Hex.Format(rpik), Hex.Format(rpiks.AsSpan(k * 16, 16)));
                Assert.Equal(Hex.Format(KeySchedule.DeriveAssociatedEncryptedMetadataKey(tek)), Hex.Format(aemks.AsSpan(k * 16, 16)));

                // Spot-check intervals across the day against the reference cipher (first, last, a few between).
                foreach (var i in new[] { 0, 1, 7, 8, 9, 77, 143 })
                {
                    Assert.Equal(KeySchedule.ComputeRollingProximityIdentifier(rpik, starts[k] + i), rpis[(k * IntervalNumber.PerDay) + i]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AesEngines))]
    public void Runs_of_any_length_match_the_reference_cipher(int engineNumber)
    {
        var engine = (AesEngine)engineNumber;
        if (!RollingProximityIdentifierCipher.IsSupported(engine))
        {
            return; // checked to refuse in All_144_identifiers_match_the_specification_vectors
        }

        var random = new Random(1234 + engineNumber);
        var rpik = new byte[16];
        foreach (var count in new[] { 0, 1, 3, 8, 9, 16, 23, 144, 300 })
        {
            random.NextBytes(rpik);

            // Near the top of the int range the interval counter wraps exactly like the reference's.
            var first = new IntervalNumber(count == 23 ? int.MaxValue - 5 : random.Next(0, 4_000_000));
            var rpis = new RollingProximityIdentifier[count];
            RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(rpik, first, rpis, engine);
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(KeySchedule.ComputeRollingProximityIdentifier(rpik, first + i), rpis[i]);
            }
        }
    }

    [Fact]
    public void The_public_entry_points_use_the_best_paths_and_match_the_reference()
    {
        var random = new Random(99);
        var teks = new byte[37 * 16];
        random.NextBytes(teks);
        var starts = Enumerable.Range(0, 37).Select(k => new IntervalNumber(2_900_000 + (144 * k))).ToArray();
        var rpis = new RollingProximityIdentifier[37 * 144];
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(teks, starts, rpis);
        var rpiks = new byte[teks.Length];
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(teks, rpiks);
        var aemks = new byte[teks.Length];
        RollingProximityIdentifierGenerator.DeriveAssociatedEncryptedMetadataKeys(teks, aemks);
        for (var k = 0; k < 37; k++)
        {
            var tek = teks.AsSpan(k * 16, 16);
            var rpik = KeySchedule.DeriveRollingProximityIdentifierKey(tek);
            Assert.Equal(rpik, rpiks.AsSpan(k * 16, 16).ToArray());
            Assert.Equal(KeySchedule.DeriveAssociatedEncryptedMetadataKey(tek), aemks.AsSpan(k * 16, 16).ToArray());
            var day = new RollingProximityIdentifier[144];
            RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(rpik, starts[k], day);
            Assert.Equal(day, rpis.AsSpan(k * 144, 144).ToArray());
            Assert.Equal(KeySchedule.ComputeRollingProximityIdentifier(rpik, starts[k] + 100), day[100]);
        }

        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Aes.IsSupported, RollingProximityIdentifierGenerator.IsHardwareAccelerated);
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_rejected_and_nothing_is_written()
    {
        var starts = new[] { new IntervalNumber(2_900_000), new IntervalNumber(2_900_144) };
        var destination = new RollingProximityIdentifier[2 * 144];

        var partialKey = Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(new byte[31], starts, destination));
        Assert.Equal("teks", partialKey.ParamName);
        var fewStarts = Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(new byte[32], starts[..1], destination));
        Assert.Equal("rollingStarts", fewStarts.ParamName);
        var shortDestination = Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(new byte[32], starts, new RollingProximityIdentifier[287]));
        Assert.Equal("destination", shortDestination.ParamName);
        Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers(new byte[32], starts, new RollingProximityIdentifier[289]));
        Assert.All(destination, rpi => Assert.Equal(default, rpi));

        var rpiks = new byte[32];
        Assert.Equal("rpiks", Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(new byte[32], new byte[16])).ParamName);
        Assert.Equal("teks", Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys(new byte[33], new byte[33])).ParamName);
        Assert.Equal("aemks", Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.DeriveAssociatedEncryptedMetadataKeys(new byte[32], new byte[48])).ParamName);
        Assert.All(rpiks, b => Assert.Equal(0, b));
        Assert.Equal("rpik", Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(new byte[15], starts[0], destination)).ParamName);
        Assert.Equal("rpik", Assert.Throws<ArgumentException>(() => RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(new byte[32], starts[0], destination)).ParamName);
    }

    [Fact]
    public void Empty_input_is_accepted_and_derives_nothing()
    {
        // Fails by throwing: no keys is a valid batch (a day with no published keys), not an error.
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifiers([], [], []);
        RollingProximityIdentifierGenerator.DeriveRollingProximityIdentifierKeys([], []);
        RollingProximityIdentifierGenerator.ComputeRollingProximityIdentifiers(new byte[16], new IntervalNumber(0), []);
    }

    [Fact]
    public void Precomputed_hmac_states_equal_hashing_the_pad_blocks()
    {
        // The constant states stand for SHA-256 after one 64-byte block of 0x36 (ipad) or 0x5c (opad);
        // hashing that block plus the same 16-byte TEK through the platform must give the same HMAC inner hash.
        var tek = VectorBytes("tek");
        var message = Enumerable.Repeat((byte)0x36, 64).Concat(tek).ToArray();
        var platform = System.Security.Cryptography.SHA256.HashData(message);

        var state = default(Sha256State<uint>);
        HkdfBatch.ExtractInnerState.CopyTo(state);
        var block = default(Sha256Block<uint>);
        for (var j = 0; j < 4; j++)
        {
            block[j] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(tek.AsSpan(4 * j));
        }

        block[4] = 0x80000000;
        block[15] = (64 + 16) * 8;
        Sha256MultiBuffer<uint, ScalarLanes>.Compress(ref state, ref block);
        var ours = new byte[32];
        for (var j = 0; j < 8; j++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ours.AsSpan(4 * j), state[j]);
        }

        Assert.Equal(platform, ours);
    }
}

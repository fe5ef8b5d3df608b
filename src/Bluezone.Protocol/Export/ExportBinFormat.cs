using System.Buffers;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Google.Protobuf;

namespace Bluezone.Protocol.Export;

/// <summary>
/// export.bin: the 16-byte header <c>"EK Export v1    "</c> followed by a protobuf
/// <c>TemporaryExposureKeyExport</c>. Writing sorts keys by key bytes; reading is strict and keeps the
/// file's order (readers must not rely on keys being sorted).
/// </summary>
public static class ExportBinFormat
{
    /// <summary>Length of <see cref="Header"/>.</summary>
    public const int HeaderLength = 16;

    /// <summary>Most keys (plus revised keys) a file may carry; Google's server caps files at the same number.</summary>
    public const int MaxKeys = 500_000;

    /// <summary>
    /// Largest rolling start accepted when reading: a key starting later would expire after year 9999, beyond
    /// what <see cref="DateTimeOffset"/> (and so <see cref="IntervalNumber.StartTime"/>) can represent.
    /// </summary>
    public const int MaxRollingStartIntervalNumber = (int)(ExportBatch.MaxUnixSeconds / IntervalNumber.Seconds) - IntervalNumber.PerDay;

    /// <summary>The header, ASCII, padded with four spaces.</summary>
    public static ReadOnlySpan<byte> Header => "EK Export v1    "u8;

    /// <summary>Encodes <paramref name="batch"/>, keys sorted by key bytes.</summary>
    public static byte[] Write(ExportBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var message = ToWire(batch);
        var size = message.CalculateSize();
        var bytes = new byte[HeaderLength + size];
        Header.CopyTo(bytes);
        message.WriteTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Writes the encoding of <paramref name="batch"/> to <paramref name="destination"/>.</summary>
    public static void Write(ExportBatch batch, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Header);
        ToWire(batch).WriteTo(destination);
    }

    /// <summary>Whether <paramref name="data"/> starts with the export.bin header.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> data) => data.StartsWith(Header);

    /// <summary>Decodes a whole export.bin.</summary>
    /// <exception cref="ExportFormatException">The bytes are not a valid export.bin; the message says why.</exception>
    public static ExportBatch Read(ReadOnlySpan<byte> data) => FromWire(ParseWire(data));

    /// <summary>
    /// The protobuf message of an export.bin exactly as stored (unknown fields kept), for tools that need
    /// the raw fields; checks only the header and the protobuf encoding.
    /// </summary>
    public static Wire.TemporaryExposureKeyExport ParseWire(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength)
        {
            throw new ExportFormatException($"export.bin: {data.Length} bytes is shorter than the {HeaderLength}-byte header");
        }

        if (!HasHeader(data))
        {
            throw new ExportFormatException("export.bin: the file does not start with the header \"EK Export v1    \"");
        }

        try
        {
            return Wire.TemporaryExposureKeyExport.Parser.ParseFrom(data[HeaderLength..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ExportFormatException($"export.bin: the protobuf after the header is malformed ({e.Message})", e);
        }
    }

    /// <summary>Encodes the protobuf message with the header, byte for byte as the message holds it.</summary>
    public static byte[] WriteWire(Wire.TemporaryExposureKeyExport message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = new byte[HeaderLength + message.CalculateSize()];
        Header.CopyTo(bytes);
        message.WriteTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    internal static Wire.TemporaryExposureKeyExport ToWire(ExportBatch batch)
    {
        var message = new Wire.TemporaryExposureKeyExport
        {
            StartTimestamp = (ulong)batch.StartTimestamp.ToUnixTimeSeconds(),
            EndTimestamp = (ulong)batch.EndTimestamp.ToUnixTimeSeconds(),
            Region = batch.Region,
            BatchNum = batch.BatchNum,
            BatchSize = batch.BatchSize,
        };
        foreach (var info in batch.SignatureInfos)
        {
            message.SignatureInfos.Add(ToWire(info));
        }

        AddSorted(message.Keys, batch.Keys);
        AddSorted(message.RevisedKeys, batch.RevisedKeys);
        return message;
    }

    internal static Wire.SignatureInfo ToWire(ExportSignatureInfo info)
    {
        var wire = new Wire.SignatureInfo();
        if (info.VerificationKeyVersion is not null)
        {
            wire.VerificationKeyVersion = info.VerificationKeyVersion;
        }

        if (info.VerificationKeyId is not null)
        {
            wire.VerificationKeyId = info.VerificationKeyId;
        }

        if (info.SignatureAlgorithm is not null)
        {
            wire.SignatureAlgorithm = info.SignatureAlgorithm;
        }

        return wire;
    }

    internal static ExportSignatureInfo FromWire(Wire.SignatureInfo wire) =>
        new(
            wire.HasVerificationKeyId ? wire.VerificationKeyId : null,
            wire.HasVerificationKeyVersion ? wire.VerificationKeyVersion : null,
            wire.HasSignatureAlgorithm ? wire.SignatureAlgorithm : null);

    private static void AddSorted(Google.Protobuf.Collections.RepeatedField<Wire.TemporaryExposureKey> target, IReadOnlyList<ExportedKey> keys)
    {
        var sorted = keys.ToArray();

        // Sorted so the file does not reveal the order keys were uploaded in (DESIGN.md §7); Array.Sort is not
        // stable, which is fine because the comparison is total.
        Array.Sort(sorted, ExportedKey.CompareForExport);
        foreach (var key in sorted)
        {
            var wire = new Wire.TemporaryExposureKey
            {
                KeyData = ByteString.CopyFrom(key.Key.KeyData),
                RollingStartIntervalNumber = key.Key.RollingStartIntervalNumber.Value,
                RollingPeriod = key.Key.RollingPeriod,
                ReportType = (Wire.TemporaryExposureKey.Types.ReportType)key.ReportType,
            };
            // The field is deprecated in GAEN v1.5 but carried through so files from older servers round-trip.
#pragma warning disable CS0612
            if (key.TransmissionRiskLevel is { } risk)
            {
                wire.TransmissionRiskLevel = risk;
            }
#pragma warning restore CS0612

            if (key.DaysSinceOnsetOfSymptoms is { } days)
            {
                wire.DaysSinceOnsetOfSymptoms = days;
            }

            target.Add(wire);
        }
    }

    private static ExportBatch FromWire(Wire.TemporaryExposureKeyExport message)
    {
        if (!message.HasStartTimestamp || !message.HasEndTimestamp)
        {
            throw new ExportFormatException("export.bin: start_timestamp and end_timestamp are required");
        }

        if (message.StartTimestamp > ExportBatch.MaxUnixSeconds || message.EndTimestamp > ExportBatch.MaxUnixSeconds)
        {
            throw new ExportFormatException($"export.bin: timestamps {message.StartTimestamp}–{message.EndTimestamp} lie beyond year 9999");
        }

        if (message.EndTimestamp < message.StartTimestamp)
        {
            throw new ExportFormatException($"export.bin: end_timestamp {message.EndTimestamp} is before start_timestamp {message.StartTimestamp}");
        }

        if (!message.HasRegion || string.IsNullOrWhiteSpace(message.Region))
        {
            throw new ExportFormatException("export.bin: region is required");
        }

        if (!message.HasBatchNum || !message.HasBatchSize)
        {
            throw new ExportFormatException("export.bin: batch_num and batch_size are required");
        }

        if (message.BatchSize < 1 || message.BatchNum < 1 || message.BatchNum > message.BatchSize)
        {
            throw new ExportFormatException($"export.bin: batch {message.BatchNum} of {message.BatchSize} is impossible (need 1 ≤ num ≤ size)");
        }

        if ((long)message.Keys.Count + message.RevisedKeys.Count > MaxKeys)
        {
            throw new ExportFormatException($"export.bin: {message.Keys.Count + message.RevisedKeys.Count} keys exceed the limit of {MaxKeys}");
        }

        return new ExportBatch(
            message.Region,
            DateTimeOffset.FromUnixTimeSeconds((long)message.StartTimestamp),
            DateTimeOffset.FromUnixTimeSeconds((long)message.EndTimestamp),
            message.BatchNum,
            message.BatchSize,
            message.SignatureInfos.Select(FromWire),
            ReadKeys(message.Keys, "keys"),
            ReadKeys(message.RevisedKeys, "revised_keys"));
    }

    private static ExportedKey[] ReadKeys(Google.Protobuf.Collections.RepeatedField<Wire.TemporaryExposureKey> wireKeys, string field)
    {
        var keys = new ExportedKey[wireKeys.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = ReadKey(wireKeys[i], field, i);
        }

        return keys;
    }

    private static ExportedKey ReadKey(Wire.TemporaryExposureKey wire, string field, int index)
    {
        if (!wire.HasKeyData || wire.KeyData.Length != TemporaryExposureKey.Length)
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: key_data must be {TemporaryExposureKey.Length} bytes, got {(wire.HasKeyData ? wire.KeyData.Length : 0)}");
        }

        if (!wire.HasRollingStartIntervalNumber)
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: rolling_start_interval_number is required");
        }

        if (wire.RollingStartIntervalNumber is < 0 or > MaxRollingStartIntervalNumber)
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: rolling_start_interval_number must be 0–{MaxRollingStartIntervalNumber}, not {wire.RollingStartIntervalNumber}");
        }

        // An absent rolling period means a full day; the generated getter returns the proto default 144.
        if (wire.RollingPeriod is < 1 or > IntervalNumber.PerDay)
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: rolling_period must be 1–{IntervalNumber.PerDay}, not {wire.RollingPeriod}");
        }

        var reportType = (ReportType)wire.ReportType;
        if (!Enum.IsDefined(reportType))
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: report_type {(int)wire.ReportType} is not defined");
        }

#pragma warning disable CS0612 // deprecated field, still read from older files
        int? transmissionRiskLevel = wire.HasTransmissionRiskLevel ? wire.TransmissionRiskLevel : null;
#pragma warning restore CS0612
        if (transmissionRiskLevel is < 0 or > ExportedKey.MaxTransmissionRiskLevel)
        {
            throw new ExportFormatException($"export.bin: {field}[{index}]: transmission_risk_level must be 0–{ExportedKey.MaxTransmissionRiskLevel}, not {transmissionRiskLevel}");
        }

        var key = new TemporaryExposureKey(wire.KeyData.Span, new IntervalNumber(wire.RollingStartIntervalNumber), wire.RollingPeriod);
        return new ExportedKey(
            key,
            reportType,
            wire.HasDaysSinceOnsetOfSymptoms ? wire.DaysSinceOnsetOfSymptoms : null,
            transmissionRiskLevel);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Bluezone.Protocol.Configuration;

namespace Bluezone.Device.Sync.Internal;

// The server's JSON contracts as the phone sees them (docs/server.md). The phone does not reference the server:
// these mirror the wire format, and the end-to-end tests run them against the real server.

internal sealed record JoinChallengeJson(string Challenge, int DifficultyBits, DateTimeOffset ExpiresAt);

internal sealed record JoinRequestJson(string Challenge, string Nonce);

internal sealed record CommunityCountJson(long Total, DateTimeOffset UpdatedAt);

internal sealed record VerifyRequestJson(string Code);

internal sealed record VerifyResponseJson(string Token, string ReportType, DateOnly? SymptomOnsetDate, DateOnly TestDate, DateTimeOffset ExpiresAt);

internal sealed record UploadedKeyJson(string Key, int RollingStartIntervalNumber, int RollingPeriod);

internal sealed record PublishRequestJson(IReadOnlyList<UploadedKeyJson> Keys, IReadOnlyList<string> HeardTokens, string Padding);

internal sealed record PublishResponseJson(int Inserted);

internal sealed record ApiErrorJson(string? Error, string? Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(JoinChallengeJson))]
[JsonSerializable(typeof(JoinRequestJson))]
[JsonSerializable(typeof(CommunityCountJson))]
[JsonSerializable(typeof(VerifyRequestJson))]
[JsonSerializable(typeof(VerifyResponseJson))]
[JsonSerializable(typeof(PublishRequestJson))]
[JsonSerializable(typeof(PublishResponseJson))]
[JsonSerializable(typeof(ApiErrorJson))]
[JsonSerializable(typeof(SignedDeviceConfiguration))]
internal sealed partial class ApiJson : JsonSerializerContext;

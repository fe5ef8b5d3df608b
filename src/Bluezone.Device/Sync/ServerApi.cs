using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bluezone.Device.Sync.Internal;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Contacts;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;

namespace Bluezone.Device.Sync;

/// <summary>The export index as fetched: unchanged since the given ETag, or the live file names, oldest first.</summary>
public sealed record ExportIndex(bool NotModified, string? ETag, IReadOnlyList<string> Files);

/// <summary>
/// The server's HTTP API as the phone calls it (docs/server.md), over <see cref="HttpClient"/> with retries and
/// backoff. Refusals become <see cref="ServerRefusedException"/> with the server's stable error code; network
/// failures that outlast the retries become <see cref="HttpRequestException"/>.
/// </summary>
public sealed partial class ServerApi : IDisposable
{
    private static readonly byte[] JoinDomain = "BZ-JOIN-v1"u8.ToArray();

    private readonly HttpClient _http;
    private readonly SyncOptions _options;

    /// <param name="server">The server's base address, e.g. <c>https://bluezone.example/</c> (the API is under <c>v1/</c>).</param>
    /// <param name="transport">The HTTP transport; null for a new <see cref="SocketsHttpHandler"/>.</param>
    /// <param name="backoffClock">Clock of the retry delays; null for the system clock (a simulated phone clock
    /// that only moves when the host moves it would stall the retries).</param>
    public ServerApi(Uri server, SyncOptions? options = null, HttpMessageHandler? transport = null, TimeProvider? backoffClock = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The server address must be an absolute http(s) URL, not '{server}'.", nameof(server));
        }

        _options = options ?? new SyncOptions();
        _options.Validate();
        var baseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _http = new HttpClient(new RetryHandler(_options, backoffClock ?? TimeProvider.System, transport ?? new SocketsHttpHandler()))
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own timeout in the retry pipeline
            MaxResponseContentBufferSize = _options.MaxExportFileBytes,
        };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>
    /// Counts this install in the community: fetches a challenge, solves its proof of work, joins. A proof
    /// refused as already used means an earlier attempt of this same join was counted, which is success too.
    /// </summary>
    public async Task JoinCommunityAsync(RandomNumberGenerator? random = null, CancellationToken cancellationToken = default)
    {
        var challenge = await GetJsonAsync("v1/community/challenge", ApiJson.Default.JoinChallengeJson, cancellationToken).ConfigureAwait(false);
        if (challenge.DifficultyBits < 0 || challenge.DifficultyBits > _options.MaxJoinDifficultyBits)
        {
            throw new ServerRefusedException(HttpStatusCode.OK, "join_difficulty_too_high", $"the server asks for a {challenge.DifficultyBits}-bit proof of work; this phone does at most {_options.MaxJoinDifficultyBits}");
        }

        byte[] challengeBytes;
        try
        {
            challengeBytes = Base64Url.DecodeFromChars(challenge.Challenge);
        }
        catch (FormatException e)
        {
            throw new ServerRefusedException("the join challenge is not base64url", e);
        }

        var nonce = SolveJoinProof(challengeBytes, challenge.DifficultyBits, random);
        using var response = await _http.PostAsJsonAsync("v1/community/join", new JoinRequestJson(challenge.Challenge, Convert.ToBase64String(nonce)), ApiJson.Default.JoinRequestJson, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var refusal = await RefusalAsync(response, cancellationToken).ConfigureAwait(false);
        if (refusal.ErrorCode != "join_proof_reused")
        {
            throw refusal;
        }
    }

    /// <summary>Finds a nonce whose <c>SHA-256("BZ-JOIN-v1" ‖ challenge ‖ nonce)</c> has the required leading zero bits.</summary>
    /// <remarks>The nonce starts with 8 random bytes, so two phones solving the same hour's challenge never send the same proof.</remarks>
    public static byte[] SolveJoinProof(ReadOnlySpan<byte> challenge, int difficultyBits, RandomNumberGenerator? random = null)
    {
        var input = new byte[JoinDomain.Length + challenge.Length + 16];
        JoinDomain.CopyTo(input, 0);
        challenge.CopyTo(input.AsSpan(JoinDomain.Length));
        var nonce = input.AsSpan(JoinDomain.Length + challenge.Length);
        if (random is null)
        {
            RandomNumberGenerator.Fill(nonce[..8]);
        }
        else
        {
            random.GetBytes(nonce[..8]);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        for (ulong counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce[8..], counter);
            SHA256.HashData(input, digest);
            if (LeadingZeroBits(digest) >= difficultyBits)
            {
                return nonce.ToArray();
            }
        }
    }

    public Task<SignedDeviceConfiguration> GetConfigurationAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync("v1/config", ApiJson.Default.SignedDeviceConfiguration, cancellationToken);

    /// <summary>The export verification key the server publishes (trusted on first use only; see docs/device.md).</summary>
    public async Task<string> GetPublicKeyPemAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("v1/exports/public-key.pem", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches index.txt; with <paramref name="etag"/>, an unchanged index costs a 304 and no body.</summary>
    public async Task<ExportIndex> GetExportIndexAsync(string? etag, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/exports/index.txt");
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new ExportIndex(true, etag, []);
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var files = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var name = line.Trim();
            if (name.Length > 0)
            {
                files.Add(name);
            }
        }

        return new ExportIndex(false, response.Headers.ETag?.ToString(), files);
    }

    /// <summary>
    /// Whether an index entry is a path the phone will fetch below <c>v1/exports/</c>: plain segments such as
    /// <c>1795521600-1795525200-00001.zip</c> or, as other GAEN key servers list them,
    /// <c>exposureKeyExport-VN/1795521600-1795525200-00001.zip</c>; never an absolute URL, another host or <c>..</c>.
    /// </summary>
    public static bool IsExportFileName(string name) => ExportFileName().IsMatch(name);

    /// <summary>Downloads one export file (relative to <c>v1/exports/</c>), at most <see cref="SyncOptions.MaxExportFileBytes"/>.</summary>
    public async Task<byte[]> GetExportFileAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsExportFileName(name))
        {
            throw new ArgumentException($"'{name}' is not an export file name.", nameof(name));
        }

        using var response = await _http.GetAsync("v1/exports/" + name, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exchanges an authority's code for a single-use upload token (POST /v1/verify).</summary>
    public async Task<PendingUpload> VerifyCodeAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        using var response = await _http.PostAsJsonAsync("v1/verify", new VerifyRequestJson(code), ApiJson.Default.VerifyRequestJson, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var verified = await ReadJsonAsync(response, ApiJson.Default.VerifyResponseJson, cancellationToken).ConfigureAwait(false);
        var reportType = verified.ReportType switch
        {
            "confirmed" => ReportType.ConfirmedTest,
            "clinical" => ReportType.ConfirmedClinicalDiagnosis,
            _ => throw new ServerRefusedException($"the server verified the code with an unknown report type '{verified.ReportType}'"),
        };
        return new PendingUpload(verified.Token, reportType, verified.TestDate, verified.SymptomOnsetDate, verified.ExpiresAt);
    }

    /// <summary>An F0's upload (POST /v1/publish with the token); returns the number of keys the server kept.</summary>
    public Task<int> PublishAsync(string token, IReadOnlyList<TemporaryExposureKey> keys, IReadOnlyCollection<HeardToken> heardTokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return PostUploadAsync("v1/publish", token, keys, heardTokens, cancellationToken);
    }

    /// <summary>An F1's upload (POST /v1/publish/recursive): no token; the server checks the contact proof.</summary>
    public Task<int> PublishRecursiveAsync(IReadOnlyList<TemporaryExposureKey> keys, CancellationToken cancellationToken = default) =>
        PostUploadAsync("v1/publish/recursive", null, keys, [], cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<int> PostUploadAsync(string path, string? token, IReadOnlyList<TemporaryExposureKey> keys, IReadOnlyCollection<HeardToken> heardTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var body = new PublishRequestJson(
            [.. keys.Select(k => new UploadedKeyJson(Convert.ToBase64String(k.KeyData), k.RollingStartIntervalNumber.Value, k.RollingPeriod))],
            [.. heardTokens.Select(t => Convert.ToBase64String(t.ToArray()))],
            Padding(keys.Count));
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, ApiJson.Default.PublishRequestJson),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await ReadJsonAsync(response, ApiJson.Default.PublishResponseJson, cancellationToken).ConfigureAwait(false)).Inserted;
    }

    /// <summary>Random padding that brings every upload's keys part to the size of 30 keys, so size does not tell how many days were uploaded.</summary>
    private static string Padding(int keys)
    {
        var bytes = new byte[Math.Max(0, 30 - keys) * 64 + 16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes);
    }

    private async Task<T> GetJsonAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new ServerRefusedException($"the server answered {response.RequestMessage?.RequestUri?.AbsolutePath} with an empty body");
        }
        catch (JsonException e)
        {
            throw new ServerRefusedException($"the server's answer to {response.RequestMessage?.RequestUri?.AbsolutePath} is not the expected JSON", e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await RefusalAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ServerRefusedException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ApiErrorJson? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync(ApiJson.Default.ApiErrorJson, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not the server's JSON error (a proxy's page, say): the status alone is reported.
        }

        return new ServerRefusedException(
            response.StatusCode,
            string.IsNullOrWhiteSpace(error?.Error) ? "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : error.Error,
            string.IsNullOrWhiteSpace(error?.Message) ? response.ReasonPhrase ?? "no message" : error.Message);
    }

    private static int LeadingZeroBits(ReadOnlySpan<byte> digest)
    {
        var bits = 0;
        foreach (var b in digest)
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }

    [GeneratedRegex("^(?=.{1,256}$)[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*(?:/[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*)*$")]
    private static partial Regex ExportFileName();
}

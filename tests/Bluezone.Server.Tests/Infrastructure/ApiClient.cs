using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;

namespace Bluezone.Server.Tests.Infrastructure;

/// <summary>The API as a phone and an authority system call it: JSON over HTTP, nothing in-process.</summary>
public sealed class ApiClient(HttpClient http, string apiKey)
{
    public HttpClient Http => http;

    public async Task<JsonObject> IssueCodeAsync(DateOnly testDate, DateOnly? onset = null, string reportType = "confirmed")
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/authority/codes", new JsonObject
        {
            ["caseRef"] = "case-" + Guid.NewGuid().ToString("N")[..8],
            ["testDate"] = testDate.ToString("yyyy-MM-dd"),
            ["symptomOnsetDate"] = onset?.ToString("yyyy-MM-dd"),
            ["reportType"] = reportType,
        }, headers: [("X-API-Key", apiKey)]);
        return await OkJsonAsync(response);
    }

    /// <summary>Issues a code and exchanges it: the upload token of a fresh F0.</summary>
    public async Task<string> NewUploadTokenAsync(DateOnly testDate, DateOnly? onset = null)
    {
        var code = await IssueCodeAsync(testDate, onset);
        var verified = await OkJsonAsync(await VerifyAsync((string)code["code"]!));
        return (string)verified["token"]!;
    }

    public Task<HttpResponseMessage> VerifyAsync(string code, bool chaff = false) =>
        SendAsync(HttpMethod.Post, "/v1/verify", new JsonObject { ["code"] = code }, chaff: chaff);

    public Task<HttpResponseMessage> PublishAsync(string? token, JsonNode body, bool chaff = false) =>
        SendAsync(HttpMethod.Post, "/v1/publish", body, chaff: chaff, headers: token is null ? [] : [("Authorization", "Bearer " + token)]);

    public Task<HttpResponseMessage> PublishRecursiveAsync(JsonNode body, bool chaff = false) =>
        SendAsync(HttpMethod.Post, "/v1/publish/recursive", body, chaff: chaff);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonNode? body, bool chaff = false, (string Name, string Value)[]? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (chaff)
        {
            request.Headers.Add("X-Chaff", "1");
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostRawAsync(string path, string json, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request);
    }

    public async Task<string[]> IndexAsync() =>
        (await http.GetStringAsync("/v1/exports/index.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<JsonObject> OkJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts a refusal: the status and the stable error code.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {text}");
        var json = JsonSerializer.Deserialize<JsonObject>(text)!;
        Assert.Equal(error, (string?)json["error"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)json["message"]));
    }

    public static JsonObject KeyJson(TemporaryExposureKey key) => new()
    {
        ["key"] = Convert.ToBase64String(key.KeyData),
        ["rollingStartIntervalNumber"] = key.RollingStartIntervalNumber.Value,
        ["rollingPeriod"] = key.RollingPeriod,
    };

    public static JsonObject Body(IEnumerable<TemporaryExposureKey> keys, IEnumerable<byte[]>? heardTokens = null) => new()
    {
        ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)KeyJson(k))]),
        ["heardTokens"] = new JsonArray([.. (heardTokens ?? []).Select(t => (JsonNode)JsonValue.Create(Convert.ToBase64String(t)))]),
        ["padding"] = Convert.ToBase64String(new byte[32]),
    };

    /// <summary>Fresh random keys for the <paramref name="days"/> days ending <paramref name="daysAgo"/> days before today.</summary>
    public static List<TemporaryExposureKey> KeysForDays(DateTimeOffset now, int daysAgo, int days)
    {
        var today = IntervalNumber.FromTime(now).Day;
        return Enumerable.Range(0, days)
            .Select(i => TemporaryExposureKey.Generate(IntervalNumber.FirstOfDay(today.AddDays(-daysAgo - i))))
            .ToList();
    }
}

using System.Net;
using Bluezone.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Bluezone.Server.Tests;

/// <summary>Promise 2 of DESIGN.md §1: the server neither stores nor logs client addresses.</summary>
public sealed class PrivacyTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task No_log_line_written_while_serving_requests_names_the_client_address()
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await ServerInstance.StartAsync(fixture.Settings(), fixture.Time, logs);
        var api = new ApiClient(server.Client, fixture.ApiKey);
        var today = DateOnly.FromDateTime(fixture.Time.GetUtcNow().UtcDateTime);

        var token = await api.NewUploadTokenAsync(today);
        await ApiClient.OkJsonAsync(await api.PublishAsync(token, ApiClient.Body(ApiClient.KeysForDays(fixture.Time.GetUtcNow(), 1, 2))));
        await ApiClient.AssertErrorAsync(await api.VerifyAsync("00000000"), HttpStatusCode.NotFound, "code_unknown");
        await ApiClient.AssertErrorAsync(await api.PostRawAsync("/v1/publish", "{"), HttpStatusCode.BadRequest, "malformed_request");
        await server.Client.GetStringAsync("/v1/community");

        // Which lines are written depends on the configured levels, so this is the real configuration's output.
        Assert.NotEmpty(logs.Entries);
        var leaks = logs.Entries
            .Where(e => e.Category != "Microsoft.Hosting.Lifetime") // "Now listening on: http://127.0.0.1:…" is the server's own address
            .Where(e => e.Message.Contains("127.0.0.1", StringComparison.Ordinal) || e.Message.Contains("::1", StringComparison.Ordinal))
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains(token, StringComparison.Ordinal));
    }
}

using System.Net;
using Bluezone.Server.Tests.Infrastructure;

namespace Bluezone.Server.Tests;

/// <summary>The per-client limit on code verification (DESIGN.md §7: limited attempts per client).</summary>
public sealed class RateLimitTests(RateLimitedServerFixture fixture) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task A_client_that_guesses_codes_is_stopped_after_its_permits_and_the_refusal_is_a_stable_429()
    {
        var api = new ApiClient(fixture.Client, fixture.ApiKey);
        for (var i = 0; i < RateLimitedServerFixture.VerifyPermits; i++)
        {
            await ApiClient.AssertErrorAsync(await api.VerifyAsync($"{10_000_000 + i}"), HttpStatusCode.NotFound, "code_unknown");
        }

        var before = await RowCounts.ReadAsync(fixture.Server);
        var code = (string)(await api.IssueCodeAsync(DateOnly.FromDateTime(fixture.Time.GetUtcNow().UtcDateTime)))["code"]!;

        // Even the right code is refused now: the limiter answers before the handler runs.
        await ApiClient.AssertErrorAsync(await api.VerifyAsync(code), HttpStatusCode.TooManyRequests, "rate_limited");
        await ApiClient.AssertErrorAsync(await api.VerifyAsync(code, chaff: true), HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(before.ClaimedCodes, (await RowCounts.ReadAsync(fixture.Server)).ClaimedCodes);

        // Other endpoints have their own budgets.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.GetAsync("/v1/community")).StatusCode);
    }
}

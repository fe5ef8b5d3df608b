using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bluezone.Server.Community;

/// <summary>The community count: join once per install, read any time.</summary>
public static class CommunityEndpoints
{
    public static RouteGroupBuilder MapCommunityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/community").WithTags("Community").WithBodyLimit(RequestBodyLimits.Small);
        group.MapGet("", CountAsync).WithName("GetCommunityCount").WithSummary("The number of Bluezone installs.");
        group.MapGet("/challenge", Challenge).WithName("GetJoinChallenge").WithSummary("A proof-of-work challenge for joining.");
        group.MapPost("/join", JoinAsync).WithName("JoinCommunity").RequireRateLimiting(RateLimitPolicies.Join)
            .WithSummary("Count this install once, with a solved challenge. Nothing identifying the device is stored.")
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Ok<CommunityCount>> CountAsync(HttpContext context, CommunityCounter counter, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(await counter.CountAsync(cancellationToken));
    }

    private static Ok<JoinChallenge> Challenge(CommunityCounter counter) => TypedResults.Ok(counter.Challenge());

    private static async Task<Results<Ok<CommunityCount>, JsonHttpResult<ApiError>>> JoinAsync(
        JoinRequest request, HttpRequest http, CommunityCounter counter, CancellationToken cancellationToken)
    {
        var (count, error) = await counter.JoinAsync(request, Chaff.Is(http), cancellationToken);
        return error is null ? TypedResults.Ok(count!) : error.ToResult();
    }
}

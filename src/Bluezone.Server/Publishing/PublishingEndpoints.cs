using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Bluezone.Server.Publishing;

/// <summary>Key uploads: F0 with an upload token, F1 with a contact proof.</summary>
public static class PublishingEndpoints
{
    public static RouteGroupBuilder MapPublishingApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/publish").WithTags("Publishing").RequireRateLimiting(RateLimitPolicies.Publish).WithBodyLimit(RequestBodyLimits.Publish);
        group.MapPost("", PublishAsync).WithName("Publish")
            .WithSummary("An F0 uploads its keys and heard tokens (Authorization: Bearer TOKEN). At most 30 keys and 50,000 heard tokens; body ≤ 2 MiB.")
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status409Conflict).Produces<ApiError>(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/recursive", PublishRecursiveAsync).WithName("PublishRecursive")
            .WithSummary("An F1 uploads its keys with no code; accepted only with a contact proof. At most 30 keys.")
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status403Forbidden)
            .Produces<ApiError>(StatusCodes.Status409Conflict).Produces<ApiError>(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<Results<Ok<PublishResponse>, JsonHttpResult<ApiError>>> PublishAsync(
        PublishRequest request, [FromHeader(Name = "Authorization")] string? authorization, HttpRequest http, ConfirmedUploads uploads, CancellationToken cancellationToken)
    {
        var (response, error) = await uploads.PublishAsync(request, authorization, Chaff.Is(http), cancellationToken);
        return error is null ? TypedResults.Ok(response!) : error.ToResult();
    }

    private static async Task<Results<Ok<PublishResponse>, JsonHttpResult<ApiError>>> PublishRecursiveAsync(
        PublishRequest request, HttpRequest http, RecursiveUploads uploads, CancellationToken cancellationToken)
    {
        var (response, error) = await uploads.PublishAsync(request, Chaff.Is(http), cancellationToken);
        return error is null ? TypedResults.Ok(response!) : error.ToResult();
    }
}

using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Bluezone.Server.Verification;

/// <summary>Authority codes (API key) and the app's code → token exchange.</summary>
public static class VerificationEndpoints
{
    public static RouteGroupBuilder MapAuthorityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/authority").WithTags("Authority").RequireRateLimiting(RateLimitPolicies.Authority).WithBodyLimit(RequestBodyLimits.Small);
        group.MapPost("/codes", IssueCodeAsync).WithName("IssueCode")
            .WithSummary("Issue a one-time code for a confirmed case (header X-API-Key).")
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status401Unauthorized);
        group.MapGet("/codes/{id:guid}", CodeStatusAsync).WithName("GetCodeStatus")
            .WithSummary("Whether a code is unused, claimed or expired (header X-API-Key).")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized).Produces<ApiError>(StatusCodes.Status404NotFound);
        return group;
    }

    public static RouteGroupBuilder MapVerifyApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/verify").WithTags("Verification").RequireRateLimiting(RateLimitPolicies.Verify).WithBodyLimit(RequestBodyLimits.Small);
        group.MapPost("", VerifyAsync).WithName("Verify")
            .WithSummary("Exchange a one-time code for a single-use upload token. Header X-Chaff: 1 makes a request that stores nothing.")
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status404NotFound)
            .Produces<ApiError>(StatusCodes.Status409Conflict).Produces<ApiError>(StatusCodes.Status410Gone)
            .Produces<ApiError>(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<Results<Ok<IssueCodeResponse>, JsonHttpResult<ApiError>>> IssueCodeAsync(
        IssueCodeRequest request, [FromHeader(Name = ApiKeys.Header)] string? apiKey, ApiKeys keys, VerificationCodes codes, CancellationToken cancellationToken)
    {
        if (await keys.AuthenticateAsync(apiKey, cancellationToken) is not { } keyId)
        {
            return ApiKeyRefused();
        }

        var (response, error) = await codes.IssueAsync(request, keyId, cancellationToken);
        return error is null ? TypedResults.Ok(response!) : error.ToResult();
    }

    private static async Task<Results<Ok<CodeStatusResponse>, JsonHttpResult<ApiError>>> CodeStatusAsync(
        Guid id, [FromHeader(Name = ApiKeys.Header)] string? apiKey, ApiKeys keys, VerificationCodes codes, CancellationToken cancellationToken)
    {
        if (await keys.AuthenticateAsync(apiKey, cancellationToken) is not { } keyId)
        {
            return ApiKeyRefused();
        }

        var status = await codes.StatusAsync(id, keyId, cancellationToken);
        return status is null ? ApiError.NotFound("code_not_found", "No code with this id was issued with this API key.").ToResult() : TypedResults.Ok(status);
    }

    private static async Task<Results<Ok<VerifyResponse>, JsonHttpResult<ApiError>>> VerifyAsync(
        VerifyRequest request, HttpRequest http, VerificationCodes codes, CancellationToken cancellationToken)
    {
        var (response, error) = await codes.VerifyAsync(request, Chaff.Is(http), cancellationToken);
        return error is null ? TypedResults.Ok(response!) : error.ToResult();
    }

    private static JsonHttpResult<ApiError> ApiKeyRefused() =>
        ApiError.Unauthorized("api_key_invalid", $"A valid API key is required in the {ApiKeys.Header} header.").ToResult();
}

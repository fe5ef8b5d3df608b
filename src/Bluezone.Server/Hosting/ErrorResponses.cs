using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Bluezone.Server.Hosting;

/// <summary>
/// Turns what the framework refuses (unparsable JSON, unknown fields, a body over the limit) into the same
/// <see cref="ApiError"/> shape as the handlers' own refusals; anything unexpected is a 500 without details.
/// </summary>
internal static class ErrorResponses
{
    public static IApplicationBuilder UseApiErrorResponses(this IApplicationBuilder app) =>
        app.UseStatusCodePages(WriteEmptyStatusAsync).UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var error = Describe(exception);
                await error.ToResult().ExecuteAsync(context);
            },
        });

    /// <summary>Refusals the framework answers with an empty body (no route, wrong method or content type) get one too.</summary>
    private static Task WriteEmptyStatusAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var error = status switch
        {
            StatusCodes.Status404NotFound => new ApiError("not_found", "There is no such resource."),
            StatusCodes.Status405MethodNotAllowed => new ApiError("method_not_allowed", "This resource does not answer that method."),
            StatusCodes.Status415UnsupportedMediaType => new ApiError("unsupported_media_type", "The body must be application/json."),
            StatusCodes.Status413PayloadTooLarge => new ApiError("body_too_large", "The request body is larger than this endpoint accepts."),
            _ => new ApiError("malformed_request", "The request could not be handled."),
        };
        return (error with { Status = status }).ToResult().ExecuteAsync(context.HttpContext);
    }

    public static ApiError Describe(Exception? exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiError("body_too_large", "The request body is larger than this endpoint accepts.") { Status = StatusCodes.Status413PayloadTooLarge },
        BadHttpRequestException { InnerException: JsonException json } =>
            ApiError.BadRequest("malformed_request", json.Path is { Length: > 0 } path
                ? $"The body is not valid JSON for this request (at {path}): unknown or repeated fields, wrong types and syntax errors are refused."
                : "The body is not valid JSON for this request: unknown or repeated fields, wrong types and syntax errors are refused."),
        BadHttpRequestException bad when bad.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiError("body_too_large", "The request body is larger than this endpoint accepts.") { Status = StatusCodes.Status413PayloadTooLarge },
        BadHttpRequestException bad =>
            new ApiError("malformed_request", "The request body is missing or is not a JSON object of the expected shape.") { Status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400 },
        _ => new ApiError("internal_error", "The server failed to handle the request; nothing was stored.") { Status = StatusCodes.Status500InternalServerError },
    };
}

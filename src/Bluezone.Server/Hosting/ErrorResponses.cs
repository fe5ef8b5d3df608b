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
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var error = Describe(exception);
                await error.ToResult().ExecuteAsync(context);
            },
        });

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
            new ApiError("malformed_request", "The request could not be read: " + SafeMessage(bad)) { Status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400 },
        _ => new ApiError("internal_error", "The server failed to handle the request; nothing was stored.") { Status = StatusCodes.Status500InternalServerError },
    };

    // The framework's messages describe the request's shape (a missing body, a wrong content type), never its values.
    private static string SafeMessage(BadHttpRequestException e) =>
        e.Message.Length > 200 ? e.Message[..200] : e.Message;
}

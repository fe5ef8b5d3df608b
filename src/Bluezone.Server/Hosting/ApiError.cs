using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bluezone.Server.Hosting;

/// <summary>
/// Every refusal: a stable machine-readable <see cref="Error"/> code (listed in docs/server.md) and a message
/// for people. Messages never echo secrets (codes, tokens, keys).
/// </summary>
public sealed record ApiError(string Error, string Message)
{
    [JsonIgnore]
    public int Status { get; init; } = StatusCodes.Status400BadRequest;

    public static ApiError BadRequest(string error, string message) => new(error, message);

    public static ApiError Unauthorized(string error, string message) => new(error, message) { Status = StatusCodes.Status401Unauthorized };

    public static ApiError Forbidden(string error, string message) => new(error, message) { Status = StatusCodes.Status403Forbidden };

    public static ApiError NotFound(string error, string message) => new(error, message) { Status = StatusCodes.Status404NotFound };

    public static ApiError Conflict(string error, string message) => new(error, message) { Status = StatusCodes.Status409Conflict };

    public static ApiError Gone(string error, string message) => new(error, message) { Status = StatusCodes.Status410Gone };

    public JsonHttpResult<ApiError> ToResult() => TypedResults.Json(this, statusCode: Status);
}

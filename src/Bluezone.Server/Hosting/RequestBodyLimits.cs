using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Bluezone.Server.Hosting;

/// <summary>
/// Per-endpoint body limits: each endpoint declares its limit (<see cref="IRequestSizeLimitMetadata"/>); a body
/// declared larger is refused before anything reads it, and a chunked body is cut off by the server at the limit.
/// </summary>
internal static class RequestBodyLimits
{
    public const long Small = 16 * 1024;

    /// <summary>30 keys plus 50,000 heard tokens in base64 (≈ 1.4 MB) and padding.</summary>
    public const long Publish = 2 * 1024 * 1024;

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Small;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(limit).ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength is null && context.Request.Body.CanRead && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            // A chunked body has no declared length: read it here (at most the limit) so that an oversize one gets
            // the same JSON refusal as a declared one, instead of the framework's empty 413.
            var buffered = new MemoryStream();
            try
            {
                await context.Request.Body.CopyToAsync(buffered, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge(limit).ExecuteAsync(context);
                return;
            }

            buffered.Position = 0;
            context.Request.Body = buffered;
            context.Request.ContentLength = buffered.Length;
        }

        await next(context);
    });

    private static IResult TooLarge(long limit) =>
        new ApiError("body_too_large", $"The request body may not exceed {limit} bytes.") { Status = StatusCodes.Status413PayloadTooLarge }.ToResult();

    private sealed class BodyLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}

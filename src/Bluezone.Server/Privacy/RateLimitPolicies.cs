using System.Threading.RateLimiting;
using Bluezone.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Privacy;

/// <summary>
/// Per-client limits with the platform's rate limiter, partitioned by <see cref="ClientPartition"/> (a keyed
/// hash held in memory), so the limiter's state holds no address.
/// </summary>
public static class RateLimitPolicies
{
    public const string Verify = "verify";
    public const string Publish = "publish";
    public const string Join = "join";
    public const string Authority = "authority";

    internal static IServiceCollection AddClientRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<ClientPartition>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var error = new ApiError("rate_limited", "Too many requests from this client; try again later.") { Status = StatusCodes.Status429TooManyRequests };
                await error.ToResult().ExecuteAsync(context.HttpContext);
            };
            limiter.AddPolicy(Verify, context => Partition(context, o => o.VerifyPermitLimit));
            limiter.AddPolicy(Publish, context => Partition(context, o => o.PublishPermitLimit));
            limiter.AddPolicy(Join, context => Partition(context, o => o.JoinPermitLimit));
            limiter.AddPolicy(Authority, context => Partition(context, o => o.AuthorityPermitLimit));
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<PrivacyOptions, int> permits)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<PrivacyOptions>>().Value;
        var key = services.GetRequiredService<ClientPartition>().Of(context);
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits(options),
            Window = options.RateLimitWindow,
            QueueLimit = 0,
        });
    }
}

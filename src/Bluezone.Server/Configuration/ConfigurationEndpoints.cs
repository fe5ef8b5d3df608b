using Bluezone.Protocol.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bluezone.Server.Configuration;

public static class ConfigurationEndpoints
{
    public static RouteGroupBuilder MapConfigurationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/config").WithTags("Configuration");
        group.MapGet("", Get).WithName("GetDeviceConfiguration")
            .WithSummary("The signed device configuration: risk thresholds and weights, duty cycle, retention.");
        return group;
    }

    private static Ok<SignedDeviceConfiguration> Get(HttpContext context, SignedConfiguration configuration)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(configuration.Current);
    }
}

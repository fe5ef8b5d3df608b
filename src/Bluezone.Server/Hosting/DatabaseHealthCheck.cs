using Bluezone.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bluezone.Server.Hosting;

/// <summary>Healthy when the database answers.</summary>
internal sealed class DatabaseHealthCheck(BluezoneDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
}

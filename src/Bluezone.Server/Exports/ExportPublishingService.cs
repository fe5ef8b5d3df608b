using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Exports;

/// <summary>Runs the <see cref="ExportPublisher"/> on every instance; the lease lets one of them publish.</summary>
internal sealed partial class ExportPublishingService(ExportPublisher publisher, TimeProvider time, IOptions<ExportOptions> options, ILogger<ExportPublishingService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.PollInterval < options.Value.BatchInterval ? options.Value.PollInterval : options.Value.BatchInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await publisher.PublishDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A database outage must not stop the loop: the next tick retries, and nothing half-done was committed.
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await publisher.ReleaseLeaseAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export publishing failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

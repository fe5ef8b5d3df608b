using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Bluezone.Device.Sync.Internal;

/// <summary>
/// Retries transient failures with exponential backoff and jitter (Polly). Reads (GET) are retried on any
/// network error, timeout, 408, 429 or 5xx. Uploads (POST) are not idempotent — a retried upload whose first
/// attempt was stored would be refused as a duplicate — so they are retried only when the server cannot have
/// acted on them: the connection was refused, or the server answered 429 or 503.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(SyncOptions options, TimeProvider backoffClock, HttpMessageHandler inner)
        : base(inner)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = backoffClock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && args.Context.Properties.TryGetValue(RequestMethod, out var method) && IsTransient(method, args.Outcome)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    private static readonly ResiliencePropertyKey<HttpMethod> RequestMethod = new("bluezone.method");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestMethod, request.Method);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Self.SendOnceAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                (Self: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        catch (TimeoutRejectedException e)
        {
            throw new HttpRequestException($"the server did not answer within the attempt timeout ({request.Method} {request.RequestUri?.AbsolutePath})", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private static bool IsTransient(HttpMethod method, Outcome<HttpResponseMessage> outcome)
    {
        var read = method == HttpMethod.Get || method == HttpMethod.Head;
        if (outcome.Exception is { } e)
        {
            return read
                ? e is HttpRequestException or TimeoutRejectedException
                : e is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
        }

        var status = outcome.Result!.StatusCode;
        return read
            ? status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500
            : status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
    }
}

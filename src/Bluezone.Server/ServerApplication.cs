using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Bluezone.Server.Community;
using Bluezone.Server.Configuration;
using Bluezone.Server.Exports;
using Bluezone.Server.Hosting;
using Bluezone.Server.Privacy;
using Bluezone.Server.Publishing;
using Bluezone.Server.Storage;
using Bluezone.Server.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Bluezone.Server;

/// <summary>
/// The server in two calls: <c>builder.AddServerServices()</c> then <c>app.MapServerApi()</c>. Settings come from
/// configuration (sections <c>Bluezone:*</c>), so command line, environment and appsettings all work.
/// </summary>
public static class ServerApplication
{
    public static IHostApplicationBuilder AddServerServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddServerCore(builder.Configuration);

        // Background work: migrations first (hosted services start in order), then publishing and retention.
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<ExportPublishingService>();
        services.AddHostedService<RetentionService>();

        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = RequestBodyLimits.Publish;
            kestrel.AddServerHeader = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddClientRateLimits();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Bluezone server";
            document.Info.Version = "v1";
            document.Info.Description =
                "Community count, one-time codes, F0 and F1 key uploads, signed GAEN exports and the signed device " +
                "configuration (DESIGN.md §6–7). Refusals are {\"error\", \"message\"} with a stable error code; see docs/server.md.";
            return Task.CompletedTask;
        }).AddDocumentTransformer<OpenApiSecurity>());
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter());

        // No client address is logged: the framework's request logs at Information and above carry none, and the
        // connection logs that do are kept below Warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// Options, storage and the domain services without the web host: what the CLI's <c>apikey</c> verb needs too.
    /// </summary>
    public static IServiceCollection AddServerCore(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.Section);
        services.AddValidatedOptions<PrivacyOptions, PrivacyOptionsValidator>(configuration, PrivacyOptions.Section);
        services.AddValidatedOptions<VerificationOptions, VerificationOptionsValidator>(configuration, VerificationOptions.Section);
        services.AddValidatedOptions<ExportOptions, ExportOptionsValidator>(configuration, ExportOptions.Section);
        services.AddValidatedOptions<CommunityOptions, CommunityOptionsValidator>(configuration, CommunityOptions.Section);
        services.AddValidatedOptions<DeviceConfigurationOptions, DeviceConfigurationOptionsValidator>(configuration, DeviceConfigurationOptions.Section);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => RandomNumberGenerator.Create());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Location);
        services.AddSingleton<DatabaseWrites>();
        services.AddDbContextFactory<BluezoneDbContext>((sp, options) =>
        {
            var location = sp.GetRequiredService<DatabaseLocation>();
            if (location.Provider == DatabaseProvider.Sqlite)
            {
                options.UseSqlite(location.ConnectionString, o => o.MigrationsAssembly(location.MigrationsAssembly));
            }
            else
            {
                options.UseNpgsql(location.ConnectionString, o => o.MigrationsAssembly(location.MigrationsAssembly));
            }
        });

        services.AddMetrics();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<SecretHasher>();
        services.AddSingleton<ExportSigningKey>();
        services.AddSingleton<ExportPublisher>();
        services.AddSingleton<Retention>();
        services.AddSingleton<SignedConfiguration>();
        services.AddScoped<ApiKeys>();
        services.AddScoped<VerificationCodes>();
        services.AddScoped<ConfirmedUploads>();
        services.AddScoped<RecursiveUploads>();
        services.AddScoped<ContactProof>();
        services.AddScoped<CommunityCounter>();
        return services;
    }

    /// <summary>Applies pending migrations (what the server does at start; the CLI's apikey verb calls it too).</summary>
    public static Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken) =>
        DatabaseMigrator.MigrateAsync(services, services.GetRequiredService<DatabaseLocation>(), cancellationToken);

    public static WebApplication MapServerApi(this WebApplication app)
    {
        app.UseApiErrorResponses();
        app.UseRequestBodyLimits();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapHealthChecks("/healthz");
        app.MapPrometheusScrapingEndpoint("/metrics");

        var v1 = app.MapGroup("/v1");
        v1.MapCommunityApi();
        v1.MapAuthorityApi();
        v1.MapVerifyApi();
        v1.MapPublishingApi();
        v1.MapExportApi();
        v1.MapConfigurationApi();
        return app;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}

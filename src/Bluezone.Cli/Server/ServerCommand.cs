using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Bluezone.Server;
using Bluezone.Server.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bluezone.Cli.Server;

/// <summary><c>bluezone server …</c>: run the health authority's server, and manage its API keys.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var storage = new StorageArguments();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, separated by ';'.", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var signingKey = new Option<FileInfo?>("--signing-key") { Description = "PEM file of the ECDSA P-256 export signing key (default: DATA/export-signing-key.pem, created if missing)." };
        var batchInterval = new Option<TimeSpan?>("--batch-interval") { Description = "Export publication period, e.g. 01:00:00 (default one hour)." };
        var minKeys = new Option<int?>("--min-export-keys") { Description = "Pad each export to at least this many keys (default 1000)." };
        var command = new Command("server", "Run the Bluezone server: community count, codes, uploads, signed exports, configuration.")
        {
            storage.Database, storage.Data, urls, signingKey, batchInterval, minKeys,
            CreateApiKey(),
        };
        command.SetAction((parse, output) =>
        {
            var settings = storage.Settings(parse);
            settings["urls"] = parse.GetValue(urls);
            if (parse.GetValue(signingKey) is { } key)
            {
                settings["Bluezone:Exports:SigningKeyPath"] = key.FullName;
            }

            if (parse.GetValue(batchInterval) is { } interval)
            {
                settings["Bluezone:Exports:BatchInterval"] = interval.ToString("c", CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(minKeys) is { } min)
            {
                settings["Bluezone:Exports:MinKeys"] = min.ToString(CultureInfo.InvariantCulture);
            }

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddServerServices();

            // A failed start is reported as one line below; the host's own stack-trace dump would bury it.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.None);
            using var app = builder.Build();
            app.MapServerApi();
            return RunReportingStartErrors(parse, () => app.Run());
        });
        return command;
    }

    private static Command CreateApiKey()
    {
        var storage = new StorageArguments();
        var name = new Option<string>("--name") { Description = "Who the key is for (an authority system).", Required = true };
        var create = new Command("create", "Create an API key for POST /v1/authority/codes; it is printed once, as the last word.")
        {
            name, storage.Data, storage.Database,
        };
        create.SetAction((parse, output) =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(storage.Settings(parse)).Build();
            using var services = new ServiceCollection().AddLogging().AddServerCore(configuration).BuildServiceProvider();
            return RunReportingStartErrors(parse, () =>
            {
                var keyName = parse.GetRequiredValue(name);
                services.MigrateDatabaseAsync(CancellationToken.None).GetAwaiter().GetResult();
                using var scope = services.CreateScope();
                var key = scope.ServiceProvider.GetRequiredService<ApiKeys>().CreateAsync(keyName, CancellationToken.None).GetAwaiter().GetResult();
                output.WriteLine($"API key for \"{keyName}\" (stored hashed, shown only now): {key}");
            });
        });
        return new Command("apikey", "Manage the API keys of authority systems.") { create };
    }

    /// <summary>Configuration and database failures at start become one line on stderr and exit code 2.</summary>
    private static int RunReportingStartErrors(ParseResult parse, Action run)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            run();
            return ExitCodes.Success;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                error.WriteLine($"bluezone: {failure}");
            }

            return ExitCodes.UsageError;
        }
        catch (DbException e)
        {
            error.WriteLine($"bluezone: the database failed: {e.Message}");
            return ExitCodes.UsageError;
        }
    }

    /// <summary>The storage options shared by the server and its apikey verb.</summary>
    private sealed class StorageArguments
    {
        public Option<string?> Database { get; } = new("--database") { Description = "sqlite:PATH or postgres:CONNECTION_STRING (default: SQLite file under --data)." };

        public Option<string> Data { get; } = new("--data") { Description = "Data directory: SQLite file, HMAC key, signing key.", DefaultValueFactory = _ => "bluezone-data" };

        public Dictionary<string, string?> Settings(ParseResult parse) => new()
        {
            ["Bluezone:Storage:DataDirectory"] = Path.GetFullPath(parse.GetRequiredValue(Data)),
            ["Bluezone:Storage:Database"] = parse.GetValue(Database),
        };
    }
}

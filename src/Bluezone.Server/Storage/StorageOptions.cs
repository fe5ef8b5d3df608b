using Microsoft.Extensions.Options;

namespace Bluezone.Server.Storage;

/// <summary>Where the server keeps its state (section <c>Bluezone:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Bluezone:Storage";

    /// <summary>Directory for the default SQLite file, the HMAC key and the default signing key.</summary>
    public string DataDirectory { get; set; } = "bluezone-data";

    /// <summary><c>sqlite:PATH</c> or <c>postgres:CONNECTION_STRING</c>; empty for SQLite under <see cref="DataDirectory"/>.</summary>
    public string? Database { get; set; }

    public DatabaseLocation Location => DatabaseLocation.Parse(Database, DataDirectory);
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return ValidateOptionsResult.Fail("Bluezone:Storage:DataDirectory (--data) must name a directory.");
        }

        try
        {
            _ = options.Location;
        }
        catch (FormatException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }

        return ValidateOptionsResult.Success;
    }
}

using Bluezone.Protocol.Export;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Exports;

/// <summary>The export publisher (section <c>Bluezone:Exports</c>), DESIGN.md §7.</summary>
public sealed class ExportOptions
{
    public const string Section = "Bluezone:Exports";

    /// <summary>Length of a publication period; batches end on multiples of it (UTC).</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A batch with fewer real keys is padded with random keys up to this count (plus jitter).</summary>
    public int MinKeys { get; set; } = 1000;

    /// <summary>Up to this many extra padding keys (random), so a file's size does not show whether it was padded.</summary>
    public int PaddingJitter { get; set; } = 100;

    /// <summary>A batch larger than this is split into several files (batch_num of batch_size).</summary>
    public int MaxKeysPerFile { get; set; } = ExportBinFormat.MaxKeys;

    public string Region { get; set; } = "VN";

    /// <summary>PEM file of the ECDSA P-256 signing key; empty: <c>DATA/export-signing-key.pem</c>, created on first start.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>SignatureInfo.verification_key_id; by GAEN convention the mobile country code (452 for Viet Nam).</summary>
    public string SigningKeyId { get; set; } = "452";

    public string SigningKeyVersion { get; set; } = "v1";

    /// <summary>How long a publisher holds the lease without renewing it; another instance takes over after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each instance checks whether a batch is due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long clients and CDNs may cache index.txt.</summary>
    public TimeSpan IndexCacheLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

internal sealed class ExportOptionsValidator : IValidateOptions<ExportOptions>
{
    public ValidateOptionsResult Validate(string? name, ExportOptions options)
    {
        var errors = new List<string>();
        if (options.BatchInterval < TimeSpan.FromSeconds(1) || options.BatchInterval > TimeSpan.FromDays(1) || options.BatchInterval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"Bluezone:Exports:BatchInterval (--batch-interval) must be whole seconds between 00:00:01 and 1.00:00:00, not {options.BatchInterval}.");
        }

        if (options.MinKeys < 0 || options.PaddingJitter < 0 || (long)options.MinKeys + options.PaddingJitter > ExportBinFormat.MaxKeys)
        {
            errors.Add($"Bluezone:Exports:MinKeys (--min-export-keys) and PaddingJitter must be ≥ 0 and add up to at most {ExportBinFormat.MaxKeys}, not {options.MinKeys} + {options.PaddingJitter}.");
        }

        if (options.MaxKeysPerFile < 1 || options.MaxKeysPerFile > ExportBinFormat.MaxKeys)
        {
            errors.Add($"Bluezone:Exports:MaxKeysPerFile must be 1–{ExportBinFormat.MaxKeys}, not {options.MaxKeysPerFile}.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || options.Region.Length > 10)
        {
            errors.Add("Bluezone:Exports:Region must be a region code such as VN.");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKeyId) || string.IsNullOrWhiteSpace(options.SigningKeyVersion))
        {
            errors.Add("Bluezone:Exports:SigningKeyId and SigningKeyVersion must not be empty.");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Bluezone:Exports:PollInterval must be between 10 ms and 1 hour, not {options.PollInterval}.");
        }

        if (options.LeaseDuration < options.PollInterval * 2)
        {
            errors.Add($"Bluezone:Exports:LeaseDuration ({options.LeaseDuration}) must be at least twice PollInterval ({options.PollInterval}), so the holder renews it in time.");
        }

        if (options.IndexCacheLifetime < TimeSpan.Zero || options.IndexCacheLifetime > TimeSpan.FromHours(1))
        {
            errors.Add($"Bluezone:Exports:IndexCacheLifetime must be between 0 and 1 hour, not {options.IndexCacheLifetime}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

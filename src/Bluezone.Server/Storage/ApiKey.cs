namespace Bluezone.Server.Storage;

/// <summary>An authority system allowed to issue verification codes. Only the SHA-256 of the key is kept.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required byte[] KeyHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

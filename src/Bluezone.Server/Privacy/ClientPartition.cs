using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Bluezone.Server.Privacy;

/// <summary>
/// The rate limiter's key for a client: an HMAC of its address under a key drawn at start and held in
/// memory only. The limiter never sees the address, and nothing derived from it outlives the process.
/// </summary>
public sealed class ClientPartition
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, bytes[..written], hash);
        return Convert.ToBase64String(hash[..16]);
    }
}

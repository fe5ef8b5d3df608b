using Microsoft.AspNetCore.Http;

namespace Bluezone.Server.Privacy;

/// <summary>
/// Chaff: apps send fake verify/publish requests (<c>X-Chaff: 1</c>) so an observer of the network cannot tell
/// which phones belong to F0s. The server does the same validation and hashing as for a real request,
/// answers in the same shape, and stores nothing.
/// </summary>
public static class Chaff
{
    public const string Header = "X-Chaff";

    public static bool Is(HttpRequest request) => request.Headers.TryGetValue(Header, out var value) && value == "1";
}

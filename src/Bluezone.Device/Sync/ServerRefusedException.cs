using System.Net;

namespace Bluezone.Device.Sync;

/// <summary>
/// The server answered with a refusal: its HTTP status and the stable error code of docs/server.md (e.g.
/// <c>code_claimed</c>, <c>contact_proof_failed</c>), so the app can show the right message.
/// </summary>
public sealed class ServerRefusedException : Exception
{
    public ServerRefusedException(HttpStatusCode status, string errorCode, string message)
        : base($"the server refused ({(int)status} {errorCode}): {message}")
    {
        Status = status;
        ErrorCode = errorCode;
        ServerMessage = message;
    }

    public ServerRefusedException()
    {
        ErrorCode = "";
        ServerMessage = "";
    }

    public ServerRefusedException(string message)
        : base(message)
    {
        ErrorCode = "";
        ServerMessage = message;
    }

    public ServerRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "";
        ServerMessage = message;
    }

    public HttpStatusCode Status { get; }

    public string ErrorCode { get; }

    /// <summary>The server's message for people (never holds codes, tokens or keys).</summary>
    public string ServerMessage { get; }
}

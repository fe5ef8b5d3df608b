namespace Bluezone.Protocol;

/// <summary>
/// Raised when bytes from outside (an advertisement, an export file, a hex string) do not have the
/// form the protocol requires. The message says what is wrong and never echoes secret material.
/// Every parser in this assembly throws only this type (or a subtype) for bad input.
/// </summary>
public class ProtocolFormatException : FormatException
{
    public ProtocolFormatException()
    {
    }

    public ProtocolFormatException(string message)
        : base(message)
    {
    }

    public ProtocolFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

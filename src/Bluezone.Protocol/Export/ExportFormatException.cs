namespace Bluezone.Protocol.Export;

/// <summary>An export file (export.bin, export.sig or the zip holding them) is malformed; the message says how.</summary>
public sealed class ExportFormatException : ProtocolFormatException
{
    public ExportFormatException()
    {
    }

    public ExportFormatException(string message)
        : base(message)
    {
    }

    public ExportFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Buffers.Binary;

namespace Bluezone.Device.Storage.Internal;

/// <summary>
/// Checks the SQLite file header before SQLite opens the file (https://www.sqlite.org/fileformat.html §1.3):
/// the magic string, a valid page size, and a file at least as long as the page count the header records.
/// A truncated copy or a stray file is reported here; damage inside pages is left to <c>PRAGMA quick_check</c>.
/// </summary>
internal static class StoreFileCheck
{
    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    /// <returns>null when the file looks whole, else what is wrong.</returns>
    public static string? Problem(string path)
    {
        var info = new FileInfo(path);
        if (info.Length < 100)
        {
            return $"the file is {info.Length} bytes long, shorter than a database header (truncated)";
        }

        Span<byte> header = stackalloc byte[100];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            stream.ReadExactly(header);
        }

        if (!header[..16].SequenceEqual(Magic))
        {
            return "the file is not an SQLite database";
        }

        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        pageSize = pageSize == 1 ? 65536 : pageSize;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            return $"the header names an invalid page size ({pageSize})";
        }

        if (info.Length % pageSize != 0)
        {
            return $"the file length {info.Length} is not a whole number of {pageSize}-byte pages (truncated)";
        }

        var changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        if (validFor == changeCounter && pages > 0 && info.Length < (long)pages * pageSize)
        {
            return $"the file holds {info.Length / pageSize} pages but its header records {pages} (truncated)";
        }

        return null;
    }
}

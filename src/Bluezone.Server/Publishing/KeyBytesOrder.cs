namespace Bluezone.Server.Publishing;

/// <summary>
/// Uploads insert their keys in key-byte order. Two concurrent uploads sharing keys then take the unique index's
/// locks in the same order, so on PostgreSQL the second waits and gets <c>key_already_published</c> instead of
/// both deadlocking.
/// </summary>
internal sealed class KeyBytesOrder : IComparer<byte[]>
{
    public static readonly KeyBytesOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}

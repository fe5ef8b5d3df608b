namespace Bluezone.Tests;

/// <summary>
/// Finds <c>shared/data</c>, which lives beside the repository (<c>../shared</c>) on developer machines and in CI.
/// Walks up from the test binaries so it works from any checkout or worktree location.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string PathOf(string relative) => System.IO.Path.Combine(Root.Value, relative);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/data was not found above " + AppContext.BaseDirectory + "; it must sit beside the repository as ../shared");
    }
}

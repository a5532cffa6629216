namespace Aftercare.Tests;

/// <summary>Where the repository is, for tests that read its docs or run its scripts.</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aftercare.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
        }
    }
}

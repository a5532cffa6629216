namespace Aftercare.App.Data;

/// <summary>The folder the keys are kept in (Aftercare:DataProtection:KeysFolder, or its default): shared by every server of one database.</summary>
public sealed record KeysFolder(string Path);

/// <summary>Files Aftercare keeps in its keys folder (the audit's MAC key and checkpoint, SMART's server keys).</summary>
public static class KeysFolderFiles
{
    /// <summary>
    /// Writes the file whole or not at all: into a new temporary file readable by this account alone
    /// (0600), flushed to the disk, then renamed into place. Without <paramref name="overwrite"/> a
    /// file already there wins (another process made it first) and this content is dropped: read
    /// the file back rather than trusting what was passed.
    /// </summary>
    public static void WriteWhole(string path, byte[] content, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temporary, path, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}

namespace AccoReboot.Secrets;

/// <summary>
/// A file only the current user can read (0600 in a 0700 directory), removed on dispose: where decrypted
/// credentials live while an editor has them, and nowhere else.
/// </summary>
sealed class PrivateScratchFile : IDisposable
{
    private readonly string _directory;

    private PrivateScratchFile(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    public static PrivateScratchFile Create(string fileName, string content)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "accoreboot-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = System.IO.Path.Combine(directory, fileName);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(content);
        return new PrivateScratchFile(directory, path);
    }

    public string Read() => File.ReadAllText(Path);

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path))
            {
                // overwrite before unlinking: the plaintext should not linger in the freed blocks
                var length = new FileInfo(Path).Length;
                using (var stream = new FileStream(Path, FileMode.Open, FileAccess.Write))
                    stream.Write(new byte[length]);
                File.Delete(Path);
            }
            if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

namespace Tests.Support;

/// <summary>Debian's docker-registry (distribution 2.8) on 127.0.0.1 with htpasswd authentication.</summary>
public sealed class LocalRegistry : IDisposable
{
    public const string Username = "deployer";
    public const string Password = "registry-password-0123456789";

    private readonly TempDirectory _directory = new("registry");
    private readonly BackgroundProcess _process;

    public LocalRegistry()
    {
        Port = FreePort.Next();
        var htpasswd = Tool.Run("htpasswd", ["-Bbn", Username, Password]);
        if (htpasswd.ExitCode != 0) throw new InvalidOperationException("htpasswd: " + htpasswd.Error);
        _directory.File("htpasswd", htpasswd.Out);
        var config = _directory.File("config.yml", $"""
            version: 0.1
            storage:
              filesystem:
                rootdirectory: {_directory.Combine("data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            auth:
              htpasswd:
                realm: accoreboot-tests
                path: {_directory.Combine("htpasswd")}
            """);
        _process = new BackgroundProcess("docker-registry", ["serve", config]);
        FreePort.WaitUntilListening(Port, TimeSpan.FromSeconds(20));
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        _process.Dispose();
        _directory.Dispose();
    }
}

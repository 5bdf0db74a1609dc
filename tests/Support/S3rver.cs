namespace Tests.Support;

/// <summary>npm s3rver on 127.0.0.1: a real S3 wire protocol peer (it checks no signature and no condition).</summary>
public sealed class S3rver : IDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly TempDirectory _data = new("s3rver");
    private readonly BackgroundProcess _process;

    public S3rver()
    {
        Port = FreePort.Next();
        _process = new BackgroundProcess("node",
            [Path.Combine(Tool.NpmGlobalRoot, "s3rver", "bin", "s3rver.js"), "-a", "127.0.0.1", "-p", Port.ToString(), "-d", _data.Path, "--silent"]);
        FreePort.WaitUntilListening(Port, TimeSpan.FromSeconds(20));
    }

    public int Port { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public void Dispose()
    {
        _process.Dispose();
        _data.Dispose();
    }
}

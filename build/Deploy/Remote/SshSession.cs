using System.Net.Sockets;
using System.Text;
using BuildEngine;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AccoReboot.Deploy.Remote;

/// <summary>Where to connect and as whom.</summary>
/// <param name="CarriesSecrets">
/// False for a connection that only reads facts (no-op Deploy): it then prefers the classical key exchange.
/// </param>
sealed record SshTarget(string Host, int Port, string User, string PrivateKey, bool CarriesSecrets = true)
{
    public override string ToString() => $"{User}@{Host}:{Port}";
}

/// <summary>The outcome of a remote command.</summary>
sealed record RemoteResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
    public string FirstErrorLine => (Error + "\n" + Output).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no message";
}

/// <summary>
/// A host that runs commands: the instance over SSH, or a test's scripted host. Deploy, Rollback, Status and
/// Logs speak to this, so what they do on each answer is specified without a server.
/// </summary>
interface IRemoteHost : IAsyncDisposable
{
    Task<RemoteResult> RunAsync(string command, string? input = null, CancellationToken ct = default);

    /// <summary>Streams <paramref name="content"/> into a remote file.</summary>
    Task<RemoteResult> UploadAsync(Stream content, string remotePath, CancellationToken ct);

    /// <summary>Runs a command and hands its output lines over as they come (Logs --follow).</summary>
    Task<int> StreamAsync(string command, Action<string> line, CancellationToken ct);

    /// <summary>Runs a command with <paramref name="input"/> on its stdin (bytes, streamed: a backup to restore).</summary>
    Task<RemoteResult> PipeAsync(string command, Stream input, CancellationToken ct);

    /// <summary>Runs a command and copies its stdout, bytes as they are, into <paramref name="output"/> (a dump); Output stays empty.</summary>
    Task<RemoteResult> ReadAsync(string command, Stream output, CancellationToken ct);
}

static class RemoteHostExtensions
{
    /// <summary>Runs a command that must succeed: its output, or one line saying what failed on which host.</summary>
    public static async Task<string> MustAsync(this IRemoteHost host, string command, string what, string where, CancellationToken ct)
    {
        var result = await host.RunAsync(command, ct: ct);
        if (!result.Succeeded) throw new BuildFailure($"Could not {what} on {where}: {result.FirstErrorLine}");
        return result.Output;
    }
}

/// <summary>The instance answered and refused the key: the one failure a deploy-key rotation expects of the old key.</summary>
sealed class DeployKeyRefused(string message) : BuildFailure(message);

/// <summary>
/// One SSH connection to the instance (SSH.NET), for a whole deploy: commands and uploads are channels of it.
/// The host key is checked before anything is sent; connection failures are one line each.
/// </summary>
sealed class SshSession : IRemoteHost
{
    private static int _connections;
    private readonly SshClient _client;

    /// <summary>Connections opened by this process (the deploy benchmark reports it).</summary>
    public static int Connections => _connections;

    private SshSession(SshClient client, HostKey presented)
    {
        _client = client;
        PresentedKey = presented;
    }

    /// <summary>The key the host presented (after it was accepted).</summary>
    public HostKey PresentedKey { get; }

    /// <summary>The key exchange the two sides agreed on.</summary>
    public string KeyExchange => _client.ConnectionInfo.CurrentKeyExchangeAlgorithm ?? "";

    /// <summary>How long connecting may take, TCP and SSH handshake together (README, "Bad input and faults").</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Connects; <paramref name="trust"/> decides on the presented key and explains a refusal.</summary>
    public static async Task<SshSession> ConnectAsync(SshTarget target, Func<HostKey, string?> trust, CancellationToken ct, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ConnectTimeout;
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(new MemoryStream(Encoding.UTF8.GetBytes(target.PrivateKey.Replace("\r\n", "\n").Trim() + "\n")));
        }
        catch (Exception e) when (e is SshException or ArgumentException or InvalidOperationException)
        {
            throw new BuildFailure($"SSH_PRIVATE_KEY of the deploy key (the environment's credentials, else the common ones) is not a usable private key ({e.Message}).");
        }
        var info = new ConnectionInfo(target.Host, target.Port, target.User, new PrivateKeyAuthenticationMethod(target.User, key))
        {
            Timeout = limit,
        };
        if (!target.CarriesSecrets) PreferClassicalKeyExchange(info);
        var client = new SshClient(info);
        HostKey? presented = null;
        string? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            presented = new HostKey(e.HostKeyName, Convert.ToBase64String(e.HostKey));
            refusal = trust(presented);
            e.CanTrust = refusal == null;
        };
        // a host that accepts TCP and never speaks SSH must not hold the build: the whole handshake has one deadline
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            Interlocked.Increment(ref _connections);
            await client.ConnectAsync(deadline.Token);
        }
        catch (Exception e)
        {
            client.Dispose();
            throw e switch
            {
                _ when refusal != null => new BuildFailure(refusal),
                OperationCanceledException or SshOperationTimeoutException when !ct.IsCancellationRequested =>
                    new BuildFailure($"{target} did not complete an SSH handshake within {limit.TotalSeconds:0.#} s (no answer, or TCP answered and SSH did not): is it the instance's address and is sshd running (Status, Start)?"),
                SshAuthenticationException => new DeployKeyRefused($"{target} refused the deploy key ({e.Message}): is SSH_PUBLIC_KEY (the environment's credentials, else the common ones) a key the instance authorizes? Rotate --what deploy-key changes it on a running instance."),
                SocketException or SshConnectionException or SshOperationTimeoutException or TimeoutException =>
                    new BuildFailure($"Cannot reach {target} over SSH ({e.Message}): is the instance running (Status, Start) and the security group open to your address (AdminCidrs)?"),
                _ => e,
            };
        }
        return new SshSession(client, presented!);
    }

    /// <summary>
    /// curve25519-sha256 first, the post-quantum hybrids after it. OpenSSH 9.0–9.8 (Debian 12, Ubuntu 24.04) choose
    /// sntrup761x25519, which SSH.NET computes in managed code: about 70 ms more per handshake on these machines
    /// (measured 2026-12-03: 110–160 ms against 170–290 ms). The hybrid guards what is sent against decryption
    /// later, so only a connection that sends no secret (a release's facts, nothing uploaded) gives it up.
    /// </summary>
    private static void PreferClassicalKeyExchange(ConnectionInfo info)
    {
        const string classical = "curve25519-sha256";
        if (!info.KeyExchangeAlgorithms.TryGetValue(classical, out var exchange)) return;
        var others = info.KeyExchangeAlgorithms.Where(a => a.Key != classical).ToList();
        info.KeyExchangeAlgorithms.Clear();
        info.KeyExchangeAlgorithms.Add(classical, exchange);
        foreach (var (name, other) in others) info.KeyExchangeAlgorithms.Add(name, other);
    }

    public async Task<RemoteResult> RunAsync(string command, string? input = null, CancellationToken ct = default)
    {
        using var ssh = _client.CreateCommand(command);
        var running = ssh.ExecuteAsync(ct);
        if (input != null)
        {
            await using var stdin = ssh.CreateInputStream();
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(input), ct);
        }
        await running;
        return new RemoteResult(ssh.ExitStatus ?? -1, ssh.Result, ssh.Error);
    }

    /// <summary>Streams <paramref name="content"/> into a remote file through the same connection (cat over an exec channel).</summary>
    public Task<RemoteResult> UploadAsync(Stream content, string remotePath, CancellationToken ct) =>
        PipeAsync($"cat > {Shell.Quote(remotePath)}", content, ct);

    public async Task<RemoteResult> PipeAsync(string command, Stream input, CancellationToken ct)
    {
        using var ssh = _client.CreateCommand(command);
        var running = ssh.ExecuteAsync(ct);
        await using (var stdin = ssh.CreateInputStream())
            await input.CopyToAsync(stdin, ct);
        await running;
        return new RemoteResult(ssh.ExitStatus ?? -1, ssh.Result, ssh.Error);
    }

    public async Task<RemoteResult> ReadAsync(string command, Stream output, CancellationToken ct)
    {
        using var ssh = _client.CreateCommand(command);
        var running = ssh.ExecuteAsync(ct);
        await ssh.OutputStream.CopyToAsync(output, ct);
        await running;
        return new RemoteResult(ssh.ExitStatus ?? -1, "", ssh.Error);
    }

    /// <summary>Runs a command and streams its output lines as they come (Logs --follow).</summary>
    public async Task<int> StreamAsync(string command, Action<string> line, CancellationToken ct)
    {
        using var ssh = _client.CreateCommand(command);
        var running = ssh.ExecuteAsync(ct);
        using var reader = new StreamReader(ssh.OutputStream);
        while (await reader.ReadLineAsync(ct) is { } text) line(text);
        await running;
        return ssh.ExitStatus ?? -1;
    }

    public ValueTask DisposeAsync()
    {
        // SSH.NET's Dispose sends the disconnect and then waits for its listener thread, most of a second against
        // OpenSSH: nothing waits for that (a process that exits first closes the socket, which sshd takes as well)
        _ = Task.Run(_client.Dispose);
        return ValueTask.CompletedTask;
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using AccoReboot.Deploy.Remote;

namespace Tests.Support;

/// <summary>
/// An instance played in memory: it answers the commands of <see cref="RemoteLayout"/> the way the real host's
/// shell does (facts, the mkdir lock, unpack, switch, compose up, curl through Caddy, prune, audit), from a few
/// facts a test sets (which release is current, whether the containers are healthy, whether the disk is full).
/// Every command is kept, so a specification reads what the deploy did, in order.
/// </summary>
sealed class ScriptedInstance(RemoteLayout layout) : IRemoteHost
{
    public bool CloudInitDone { get; set; } = true;
    public string? Current { get; set; }
    public Dictionary<string, string> ReleaseHashes { get; } = new();
    public string? LockHolder { get; set; }
    public bool DiskFull { get; set; }

    /// <summary>Whether the containers come up healthy with a release (default: yes).</summary>
    public Func<string, bool> HealthyWith { get; set; } = _ => true;

    /// <summary>Whether the containers of the current release run now.</summary>
    public bool ContainersUp { get; set; }

    public List<string> Commands { get; } = [];

    /// <summary>The JWT keys in the instance's keys directory: file name → PEM.</summary>
    public SortedDictionary<string, string> JwtKeys { get; } = new(StringComparer.Ordinal);
    public List<string> Audit { get; } = [];
    public List<string> Uploads { get; } = [];
    public int Ups { get; private set; }

    private static readonly string[] Services = ["api", "caddy", "emqx", "powersync"];

    public Task<RemoteResult> RunAsync(string command, string? input = null, CancellationToken ct = default)
    {
        Commands.Add(command);
        return Task.FromResult(Answer(command, input));
    }

    private RemoteResult Answer(string command, string? input)
    {
        if (command == layout.EnsureJwtKey())
        {
            if (JwtKeys.Count == 0) JwtKeys[$"jwt-{JwtKeys.Count + Ups + 1:D14}.key.pem"] = $"-----BEGIN TEST FIXTURE-----\nMade-on-this-host-{Guid.NewGuid():N} (not a key)\n-----END TEST FIXTURE-----\n";
            return Ok("");
        }
        if (command == layout.JwtKeys()) return Ok(string.Concat(JwtKeys.Select(k => $"{RemoteLayout.JwtKeySeparator}{k.Key}\n{k.Value}")));
        if (Regex.Match(command, @"keys/(jwt-[0-9A-Za-z_-]+\.key\.pem)'?\.tmp") is { Success: true } restore)
        {
            JwtKeys.TryAdd(restore.Groups[1].Value, input!);
            return Ok("");
        }
        if (command == layout.FactsAndServices()) return Ok(FactsText() + "\n" + RemoteLayout.ServicesSeparator + "\n" + DockerPs());
        if (command == layout.Facts()) return Ok(FactsText());
        if (command == layout.Unlock())
        {
            LockHolder = null;
            return Ok("");
        }
        if (command.Contains(".deploy-lock 2>/dev/null; then printf", StringComparison.Ordinal))
        {
            if (DiskFull) return new RemoteResult(1, "", "mkdir: cannot create directory: No space left on device");
            if (LockHolder != null) return new RemoteResult(3, LockHolder + "\n", "");
            LockHolder = Regex.Match(command, @"printf '%s\\n' '([^']*)'").Groups[1].Value;
            return Ok("");
        }
        if (command == layout.Services()) return Ok(ComposePs());
        if (command.Contains("sha256sum -c", StringComparison.Ordinal))
        {
            var release = Regex.Match(command, @"/releases/([^/'.]+)\.tmp").Groups[1].Value;
            ReleaseHashes[release] = Regex.Match(command, @"printf '%s\\n' '?([0-9a-f]+)'? >").Groups[1].Value;
            return Ok("");
        }
        if (command.Contains("ln -sfn", StringComparison.Ordinal))
        {
            Current = Regex.Match(command, @"ln -sfn '?releases/([^' ]+)").Groups[1].Value;
            ContainersUp = false;
            return Ok("");
        }
        if (command.Contains(" up -d --wait", StringComparison.Ordinal))
        {
            Ups++;
            ContainersUp = Current != null && HealthyWith(Current);
            return ContainersUp ? Ok("") : new RemoteResult(1, "container accoreboot-api-1 is unhealthy\n", "");
        }
        if (command.StartsWith("docker logs", StringComparison.Ordinal)) return Ok("api: cannot reach the database\n");
        if (command.Contains("curl -fsS", StringComparison.Ordinal)) return ContainersUp ? Ok("") : new RemoteResult(7, "", "curl: (7) Failed to connect");
        if (command.Contains("| while read -r r", StringComparison.Ordinal)) return Ok("");
        if (command == layout.Releases()) return Ok(string.Join("\n", ReleaseHashes.Keys.Order(StringComparer.Ordinal)) + "\n");
        if (command.Contains(" >> ", StringComparison.Ordinal) && command.Contains("audit.log", StringComparison.Ordinal))
        {
            Audit.Add(Regex.Match(command, @"printf '%s\\n' '([^']*)'").Groups[1].Value);
            return Ok("");
        }
        if (command.Contains(" pull ", StringComparison.Ordinal) || command.StartsWith("docker login", StringComparison.Ordinal)) return Ok("");
        return new RemoteResult(127, "", $"scripted instance: no answer for {command}");
    }

    public async Task<RemoteResult> UploadAsync(Stream content, string remotePath, CancellationToken ct)
    {
        Commands.Add($"upload {remotePath}");
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        if (DiskFull) return new RemoteResult(1, "", "cat: write error: No space left on device");
        Uploads.Add(remotePath);
        return Ok("");
    }

    public Task<int> StreamAsync(string command, Action<string> line, CancellationToken ct) => Task.FromResult(0);

    public Task<RemoteResult> PipeAsync(string command, Stream input, CancellationToken ct) =>
        Task.FromResult(new RemoteResult(127, "", $"scripted instance: no answer for {command}"));

    public Task<RemoteResult> ReadAsync(string command, Stream output, CancellationToken ct) =>
        Task.FromResult(new RemoteResult(127, "", $"scripted instance: no answer for {command}"));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string FactsText() =>
        $"marker={(CloudInitDone ? "yes" : "no")}\nuid=1000\ngid=1000\ncurrent={(Current == null ? "" : $"{layout.AppDirectory}/releases/{Current}")}\n" +
        $"hash={(Current != null ? ReleaseHashes.GetValueOrDefault(Current) : "")}";

    private string ComposePs() => string.Join("\n", Services.Select(s => JsonSerializer.Serialize(new
    {
        Service = s, State = ContainersUp ? "running" : "exited", Health = ContainersUp ? "healthy" : "", Image = $"{s}:1", Status = ContainersUp ? "Up 1 minute (healthy)" : "Exited (1)",
    })));

    private string DockerPs() => string.Join("\n", Services.Select(s => JsonSerializer.Serialize(new
    {
        Service = s, State = ContainersUp ? "running" : "exited", Image = $"{s}:1", Status = ContainersUp ? "Up 1 minute (healthy)" : "Exited (1) 1 minute ago",
    })));

    private static RemoteResult Ok(string output) => new(0, output, "");
}

using BuildEngine;

namespace AccoReboot.Docker;

/// <summary>
/// The docker CLI, with the failures people meet turned into one line each: docker missing, daemon down.
/// A registry password only ever goes through standard input, into a private DOCKER_CONFIG removed afterwards.
/// </summary>
sealed class DockerCli(ProcessRunner processes, IProcessEnvironment processEnvironment)
{
    // NUKE's convention for a tool path: <TOOL>_EXE; DOCKER_HOST and DOCKER_CONTEXT choose the daemon
    private string Docker => processEnvironment.GetVariable("DOCKER_EXE") is { Length: > 0 } exe ? exe : "docker";

    private IReadOnlyDictionary<string, string?> environment =>
        new[] { "DOCKER_HOST", "DOCKER_CONTEXT" }
            .Where(name => processEnvironment.GetVariable(name) != null)
            .ToDictionary(name => name, name => processEnvironment.GetVariable(name));

    private bool _answered;

    /// <summary>Docker is installed and its daemon answers; asked once per run (Build then Push ask it twice).</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        if (_answered) return;
        ProcessResult result;
        try
        {
            result = await processes.RunAsync(Docker, ["version", "--format", "{{.Server.Version}}"], environment: environment, echoOutput: false, cancellationToken: ct);
        }
        catch (BuildFailure)
        {
            throw new BuildFailure("Docker is not installed (no docker command on PATH): install Docker Engine (apt-get install docker.io, or docs.docker.com/engine/install).");
        }
        if (!result.Succeeded)
        {
            var reason = (result.StandardError + result.StandardOutput).Trim().Split('\n').FirstOrDefault(l => l.Length > 0) ?? "no answer";
            throw new BuildFailure($"The Docker daemon does not answer ({reason}): start it (systemctl start docker, or dockerd).");
        }
        _answered = true;
    }

    public async Task BuildAsync(string context, IEnumerable<string> tags, IReadOnlyDictionary<string, string> buildArguments, IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        // --force-rm: a failed step leaves no stopped container behind
        var arguments = new List<string> { "build", "--force-rm" };
        foreach (var tag in tags) arguments.AddRange(["--tag", tag]);
        foreach (var (key, value) in buildArguments) arguments.AddRange(["--build-arg", $"{key}={value}"]);
        foreach (var (key, value) in labels) arguments.AddRange(["--label", $"{key}={value}"]);
        arguments.Add(context);
        var result = await processes.RunAsync(Docker, arguments, environment: environment, cancellationToken: ct);
        if (!result.Succeeded) throw new BuildFailure($"docker build failed (exit code {result.ExitCode}); its output is above.");
    }

    /// <summary>The image id (its config digest, sha256:…), or null when there is no such image.</summary>
    public async Task<string?> ImageIdAsync(string reference, CancellationToken ct)
    {
        var result = await processes.RunAsync(Docker, ["image", "inspect", "--format", "{{.Id}}", reference], environment: environment, echoOutput: false, cancellationToken: ct);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>A label of a local image, or null when there is no such image or label.</summary>
    public async Task<string?> LabelAsync(string reference, string label, CancellationToken ct)
    {
        var result = await processes.RunAsync(Docker, ["image", "inspect", "--format", $"{{{{index .Config.Labels \"{label}\"}}}}", reference], environment: environment, echoOutput: false, cancellationToken: ct);
        return result.Succeeded && result.StandardOutput.Trim() is { Length: > 0 } value && value != "<no value>" ? value : null;
    }

    /// <summary>Pushes with a login that lives only for this call (its own DOCKER_CONFIG, deleted afterwards).</summary>
    public Task PushAsync(ImageReference image, IEnumerable<string> references, string username, string password, CancellationToken ct) =>
        WithLoginAsync(image, username, password, references.Select(reference => new[] { "push", reference }), ct);

    /// <summary>Pulls an image from the registry, with the same throw-away login.</summary>
    public Task PullAsync(ImageReference image, string username, string password, CancellationToken ct) =>
        WithLoginAsync(image, username, password, [["pull", "--quiet", image.ToString()]], ct);

    private async Task WithLoginAsync(ImageReference image, string username, string password, IEnumerable<string[]> commands, CancellationToken ct)
    {
        var config = Path.Combine(Path.GetTempPath(), "accoreboot-docker-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(config);
        else Directory.CreateDirectory(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var withConfig = new Dictionary<string, string?>(environment) { ["DOCKER_CONFIG"] = config };
        try
        {
            var login = await processes.RunAsync(Docker, ["login", image.Registry, "--username", username, "--password-stdin"],
                environment: withConfig, standardInput: password, echoOutput: false, cancellationToken: ct);
            if (!login.Succeeded)
                throw new BuildFailure($"The registry {image.Registry} refused the login of {username} ({FirstLine(login.StandardError)}): check REGISTRY_USERNAME and REGISTRY_PASSWORD in the common credentials.");
            foreach (var command in commands)
            {
                var run = await processes.RunAsync(Docker, command, environment: withConfig, cancellationToken: ct);
                if (!run.Succeeded) throw new BuildFailure($"docker {string.Join(' ', command)} failed (exit code {run.ExitCode}): {FirstLine(run.StandardError)}");
            }
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    private static string FirstLine(string text) => text.Trim().Split('\n').FirstOrDefault(l => l.Length > 0)?.Trim() ?? "no message";
}

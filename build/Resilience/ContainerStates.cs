using System.Globalization;

namespace AccoReboot.Resilience;

/// <summary>One container of the stack as docker inspect shows it.</summary>
sealed record ContainerState(string Service, string Status, string Health, DateTimeOffset StartedAt, int Restarts)
{
    /// <summary>Running, and healthy where the container has a healthcheck.</summary>
    public bool Healthy => Status == "running" && Health is "healthy" or "none";
}

/// <summary>
/// The stack's containers in one remote command (docker inspect of the project's containers), and its reading:
/// pure, so what "back and healthy" means is specified without a host.
/// </summary>
static class ContainerStates
{
    public static string Command(string project) =>
        $"ids=$(docker ps -aq --filter label=com.docker.compose.project={Deploy.Remote.Shell.Quote(project)}); [ -z \"$ids\" ] || docker inspect --format " +
        Deploy.Remote.Shell.Quote("{{index .Config.Labels \"com.docker.compose.service\"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.StartedAt}} {{.RestartCount}}") +
        " $ids";

    /// <summary>The host's clock, in seconds since the epoch (what a restart is compared with).</summary>
    public const string Clock = "date -u +%s.%N";

    public static IReadOnlyList<ContainerState> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(f => f.Length == 5)
            .Select(f => new ContainerState(f[0], f[1], f[2], DateTimeOffset.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture)))
            .ToList();

    public static DateTimeOffset ParseClock(string output) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(output.Trim(), CultureInfo.InvariantCulture) * 1000));

    /// <summary>Every expected service has a container that is healthy and was started after <paramref name="since"/>.</summary>
    public static bool AllBackSince(IReadOnlyList<ContainerState> states, IEnumerable<string> services, DateTimeOffset since) =>
        services.All(s => states.Any(c => c.Service == s && c.Healthy && c.StartedAt > since));

    /// <summary>
    /// Kills a service's main process with SIGKILL from the host's process namespace, as a crash would (docker kill
    /// counts as a manual stop, and a restart policy does not restart a container stopped by hand: Docker's
    /// restart-policy documentation, "unless-stopped"); the helper is a throwaway container of the service's own image.
    /// </summary>
    public static string Crash(string project, string service) =>
        $"c=$(docker ps -q --filter label=com.docker.compose.project={Deploy.Remote.Shell.Quote(project)} --filter label=com.docker.compose.service={Deploy.Remote.Shell.Quote(service)} | head -1); " +
        "[ -n \"$c\" ] || { echo \"no running container\" >&2; exit 3; }; " +
        "pid=$(docker inspect --format '{{.State.Pid}}' \"$c\"); image=$(docker inspect --format '{{.Image}}' \"$c\"); " +
        "docker run --rm --pid=host --user 0:0 --pull never --entrypoint sh \"$image\" -c \"kill -9 $pid\"";
}

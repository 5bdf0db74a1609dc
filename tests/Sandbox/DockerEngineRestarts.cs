namespace Tests.Sandbox;

/// <summary>
/// Tests that restart this machine's Docker Engine (the sandbox instance's reboot) run alone, after the others:
/// every container on the machine stops while it restarts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerEngineRestarts
{
    public const string Name = "Docker Engine restarts";
}

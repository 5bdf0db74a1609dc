using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>How slow the sandbox cloud is (seconds), and where it listens.</summary>
sealed record SandboxCloudSettings(int ApiPort, int S3Port, double DatabaseCreateDelay, double ServerBuildDelay, double DatabaseUpdateDelay);

/// <summary>Where the sandbox's instance is: its SSH port, deploy user, directories, and the compose project on it.</summary>
sealed record SandboxInstanceSettings(int SshPort, string DeployUser, string AppDirectory, string MarkerFile, string Project, string StateDirectory);

/// <summary>What stands in for the instance, the managed PostgreSQL and the registry, from the sandbox profile.</summary>
sealed record SandboxHostSettings(string Environment, SandboxInstanceSettings Instance, string Network, int RegistryPort, string DatabaseImage = "local/pg17-timescaledb:trixie")
{
    public string DatabaseContainer => $"{Network}-db";

    /// <summary>The host of the sandbox environment whose SSH, layout, stack and registry are given.</summary>
    public static SandboxHostSettings Of(string environment, SshSettings ssh, RemoteLayout layout, StackSettings stack, string registry, string stateDirectory)
    {
        if (!registry.StartsWith("127.0.0.1:", StringComparison.Ordinal) || !int.TryParse(registry["127.0.0.1:".Length..], out var registryPort))
            throw new BuildFailure($"Registry of the sandbox is {registry}: the sandbox's registry is 127.0.0.1:<port>.");
        return new SandboxHostSettings(environment,
            new SandboxInstanceSettings(ssh.Port, ssh.User, layout.AppDirectory, layout.MarkerFile, layout.Project, stateDirectory),
            stack.NetworkName, registryPort);
    }
}

/// <summary>
/// What the build asks of the sandbox program (build/Sandbox, its own assembly): the repository, the sandbox's
/// credentials and their committed age key, how its cloud behaves and what plays its host. No secret: the program
/// decrypts the credentials itself.
/// </summary>
sealed record SandboxRequest(string Root, string CommonCredentials, string AgeKeyFile, SandboxCloudSettings Cloud, SandboxHostSettings Host);

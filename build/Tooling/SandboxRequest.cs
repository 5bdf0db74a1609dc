using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>How slow the sandbox cloud is (seconds), and where it listens.</summary>
sealed record SandboxCloudSettings(int ApiPort, int S3Port, double DatabaseCreateDelay, double ServerBuildDelay, double DatabaseUpdateDelay);

/// <summary>Where the sandbox's instance is: its SSH port, deploy user, directories, and the compose project on it.</summary>
sealed record SandboxInstanceSettings(int SshPort, string DeployUser, string AppDirectory, string MarkerFile, string Project, string StateDirectory);

/// <summary>
/// The sandbox's ACME CA (Pebble): where its directory listens (the host and port of the profile's AcmeCa; its
/// management interface 1000 above), the files of the roots it writes (AcmeCaRoot, SiteCaRoot), and the stack's
/// published ports it validates challenges on.
/// </summary>
sealed record SandboxAcmeSettings(string DirectoryHost, int DirectoryPort, string ListenerRootFile, string IssuingRootFile, int HttpPort, int TlsPort)
{
    public int ManagementPort => DirectoryPort + 1000;
}

/// <summary>What stands in for the instance, the managed PostgreSQL and the registry, from the sandbox profile.</summary>
sealed record SandboxHostSettings(string Environment, SandboxInstanceSettings Instance, string Network, int RegistryPort, string DatabaseImage = "local/pg17-timescaledb:trixie",
    int DnsPort = 0, SandboxAcmeSettings? Acme = null)
{
    public string DatabaseContainer => $"{Network}-db";

    /// <summary>The host of the sandbox environment whose SSH, layout, stack and registry are given.</summary>
    public static SandboxHostSettings Of(string environment, SshSettings ssh, RemoteLayout layout, StackSettings stack, string registry, string stateDirectory)
    {
        if (!registry.StartsWith("127.0.0.1:", StringComparison.Ordinal) || !int.TryParse(registry["127.0.0.1:".Length..], out var registryPort))
            throw new BuildFailure($"Registry of the sandbox is {registry}: the sandbox's registry is 127.0.0.1:<port>.");
        var dnsPort = 0;
        if (stack.DnsServer.Length > 0 && (!stack.DnsServer.StartsWith("127.0.0.1:", StringComparison.Ordinal) || !int.TryParse(stack.DnsServer["127.0.0.1:".Length..], out dnsPort)))
            throw new BuildFailure($"DnsServer of the sandbox is {stack.DnsServer}: the sandbox's DNS is 127.0.0.1:<port>.");
        SandboxAcmeSettings? acme = null;
        if (stack.Acme.Ca.Length > 0)
        {
            if (!Uri.TryCreate(stack.Acme.Ca, UriKind.Absolute, out var directory) || directory.Scheme != "https" || stack.Acme.CaRoot.Length == 0 || stack.SiteCaRoot.Length == 0 || dnsPort == 0)
                throw new BuildFailure($"The sandbox's ACME CA needs AcmeCa (https://<name>:<port>/dir), AcmeCaRoot, SiteCaRoot and DnsServer in its profile; AcmeCa is {stack.Acme.Ca}.");
            acme = new SandboxAcmeSettings(directory.Host, directory.Port, stack.Acme.CaRoot, stack.SiteCaRoot, stack.HttpPort, stack.HttpsPort);
        }
        return new SandboxHostSettings(environment,
            new SandboxInstanceSettings(ssh.Port, ssh.User, layout.AppDirectory, layout.MarkerFile, layout.Project, stateDirectory),
            stack.NetworkName, registryPort, DnsPort: dnsPort, Acme: acme);
    }
}

/// <summary>
/// What the build asks of the sandbox program (build/Sandbox, its own assembly): the repository, the sandbox's
/// credentials and their committed age key, how its cloud behaves and what plays its host. No secret: the program
/// decrypts the credentials itself.
/// </summary>
sealed record SandboxRequest(string Root, string CommonCredentials, string AgeKeyFile, SandboxCloudSettings Cloud, SandboxHostSettings Host);

using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.Infra;
using AccoReboot.Secrets;

/// <summary>
/// One environment, resolved once from the bound parameters (--env, its profile file, NUKE_* variables and the
/// command line over the declared defaults): what every target hands to the services. The run's environment is
/// <see cref="Build.Profile"/>; another one (State over all of them, the sandbox's cloud) is resolved the same way
/// from its files alone (<see cref="Build.ProfileOf"/>), so no default is written twice.
/// </summary>
sealed record EnvironmentProfile(
    string Name,
    bool IsSandbox,
    EnvironmentSettings Cloud,
    StackSettings Stack,
    SshSettings Ssh,
    RemoteLayout Layout,
    DeployOptions Deploy,
    string Registry,
    string CommonCredentials,
    TimeProvider Clock)
{
    public string EnvironmentCredentials => CredentialSchema.EnvironmentFile(Name);

    /// <summary>The API's database (the first of Databases) and PowerSync's bucket storage (the second).</summary>
    public (string App, string Storage) DatabaseNames => (Cloud.Database.Databases[0], Cloud.Database.Databases[1]);
}

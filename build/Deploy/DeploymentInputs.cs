using AccoReboot.Deploy.Remote;
using AccoReboot.Session;
using AccoReboot.Secrets;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>How to reach the instance over SSH, besides its address (from the state).</summary>
sealed record SshSettings(int Port, string User, string? KnownHostsFile);

/// <summary>
/// What the stack targets need from outside: the stack's settings (the API image is resolved late, from git),
/// the databases, the cloud session and credentials, how to open a sealed secret, and who runs them.
/// </summary>
sealed record DeploymentInputs(
    string Environment,
    StackSettings Stack,
    SshSettings Ssh,
    RemoteLayout Layout,
    DeployOptions Options,
    string DatabaseUser,
    string AppDatabase,
    string StorageDatabase,
    string Registry,
    Func<Task<EnvironmentSession>> OpenSession,
    Func<Task<State.S3StateStore>> OpenState,
    Func<Task<CommonCredentials>> Common,
    Func<Task<EnvironmentCredentials>> EnvironmentCredentials,
    Func<Task<DeployKey>> DeployKey,
    Func<Task<string>> ApiImage,
    Func<string, Task<string>> UnsealSecret,
    Func<string, Task<string>> SealSecret,
    TemplateRenderer Templates,
    SecretMasker Masker,
    string Who,
    TimeProvider Clock,
    bool Protected = false,
    TimeSpan? Overlap = null,
    string? LastContactFile = null)
{
    /// <summary>How long an old JWT key stays published after Rotate (the longest token's life and a margin).</summary>
    public TimeSpan JwtKeyOverlap => Overlap ?? JwtKeyRotation.DefaultOverlap;

    public Deployer Deployer(BuildLog log) =>
        new(new ReleaseRenderer(Templates), Layout, Options, log, Who, Clock, async (target, ct) => await new TrustedConnection(log).OpenAsync(target, ct));
}

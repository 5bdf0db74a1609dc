using AccoReboot.Secrets;
using BuildEngine;

partial class Build
{
    internal static void NotImplementedYet(string target, int issue) =>
        throw new BuildFailure($"{target} is not implemented yet (issue #{issue}).");

    TestSuite TestSuite => new(RootDirectory, Processes, CancellationToken);
    WorkflowFiles WorkflowFiles => new(this, Log);

    // Secrets: created on first use, so targets that need none never look for an age identity.
    SopsDotenvStore? _sopsStore;
    SopsDotenvStore SopsStore => _sopsStore ??= new(RootDirectory, new AgeIdentitySources(ProcessEnvironment, Processes), TimeProvider.System);
    SopsConfig SopsConfig() => AccoReboot.Secrets.SopsConfig.Load(Path.Combine(RootDirectory, ".sops.yaml"), ".sops.yaml");
    CredentialsFiles CredentialsFiles => new(RootDirectory, CommonCredentials);
    CredentialsLoader? _credentials;
    CredentialsLoader Credentials => _credentials ??= new(SopsStore, Secrets, CommonCredentials);
    SopsEditor SopsEditor => new(SopsStore, SopsConfig, new TextEditor(ProcessEnvironment), Confirm, ProcessEnvironment, Log);
    SopsKeyUpdater SopsKeyUpdater => new(SopsStore, SopsConfig, Log);
    SecretExec SecretExec => new(Credentials, Processes, RootDirectory);
    EditedCredentials EditedCredentials => CredentialsFiles.ToEdit(CredentialsFile, Env);
}

using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Exec: runs a command with the decrypted credentials in its environment (what the seed's with-secrets.sh did),
/// its output masked, its exit code passed through.
/// </summary>
sealed class SecretExec(CredentialsLoader credentials, ProcessRunner processes, string root)
{
    public async Task RunAsync(IReadOnlyList<string> command, IEnumerable<string> credentialFiles, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
            throw new BuildFailure("Exec needs a command after --: ./build.sh Exec --env test -- printenv OVH_PROJECT_ID");
        var values = await credentials.AllValuesAsync(credentialFiles, cancellationToken);
        var environment = values.ToDictionary(v => v.Key, v => (string?)v.Value);
        var input = Console.IsInputRedirected ? Console.OpenStandardInput() : null;
        var result = await processes.RunAsync(command[0], command.Skip(1), root, environment, standardInputStream: input, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new BuildFailure($"{command[0]} exited with code {result.ExitCode}.") { ExitCode = result.ExitCode };
    }
}

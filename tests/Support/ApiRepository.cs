using AccoReboot.Secrets;

namespace Tests.Support;

/// <summary>A scratch git repository holding the API sources and the credentials, as the Build and Push targets need.</summary>
internal static class ApiRepository
{
    public static readonly AccoReboot.Secrets.Age.AgeIdentity Identity = AccoReboot.Secrets.Age.AgeIdentity.Generate();

    public static void Create(TempDirectory root, string registryPassword)
    {
        CredentialsRepository.With([Identity], (CredentialSchema.CommonFile, new Dictionary<string, string>(CredentialsRepository.Complete(CredentialSchema.Common, "x"))
        {
            ["REGISTRY_USERNAME"] = LocalRegistry.Username,
            ["REGISTRY_PASSWORD"] = registryPassword,
        }))(root);
        foreach (var file in Directory.GetFiles(Repository.Path("api"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.Root, file);
            if (relative.Contains("node_modules") || relative.Contains($"{Path.DirectorySeparatorChar}dist{Path.DirectorySeparatorChar}")) continue;
            root.File(relative, File.ReadAllText(file));
        }
        Git(root, "init", "-q");
        Git(root, "add", "-A");
        Git(root, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "api");
    }

    public static void Git(TempDirectory root, params string[] arguments)
    {
        var result = Tool.Run("git", arguments, root.Path);
        if (result.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(" ", arguments)}: {result.All}");
    }

    public static string Sha(TempDirectory root) => Tool.Run("git", ["rev-parse", "--short=12", "HEAD"], root.Path).Out.Trim();

    /// <summary>The CA of a TLS-inspecting proxy, when this machine has one, for npm inside the image build.</summary>
    public static string[] CaArguments(TempDirectory root)
    {
        var certificates = Directory.Exists("/usr/local/share/ca-certificates")
            ? Directory.GetFiles("/usr/local/share/ca-certificates", "*.crt").Select(File.ReadAllText).ToList()
            : [];
        if (certificates.Count == 0) return [];
        return ["--build-ca-file", root.File("extra-ca.pem", string.Join("\n", certificates))];
    }
}

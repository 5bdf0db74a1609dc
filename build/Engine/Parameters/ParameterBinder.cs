namespace BuildEngine;

/// <summary>
/// Gives every [Parameter] member its value. First non-empty source wins:
/// command line, then environment variable NUKE_&lt;NAME&gt;, then the profile file .nuke/parameters.&lt;profile&gt;.json,
/// then .nuke/parameters.json, then the member's initializer.
/// </summary>
public sealed class ParameterBinder(IReadOnlyList<ParameterMember> members, CommandLine commandLine, IProcessEnvironment environment, string rootDirectory)
{
    private string NukeDirectory => Path.Combine(rootDirectory, ".nuke");


    public ParameterFile? Profile { get; private set; }
    public Dictionary<ParameterMember, string> Sources { get; } = new();

    public void Bind(object build)
    {
        ThrowOnUnknownArguments();
        var defaults = LoadFile(NukeDirectory, "parameters.json");
        var profileMember = members.SingleOrDefault(m => m.SelectsProfile);
        ParameterFile? profile = null;
        if (profileMember != null)
        {
            BindOne(build, profileMember, defaults, null);
            if (profileMember.GetValue(build) is string name && name.Length > 0)
                profile = LoadProfile(profileMember, name);
        }
        Profile = profile;
        foreach (var file in new[] { defaults, profile })
            if (file != null)
                ThrowOnUnknownKeys(file);
        foreach (var member in members.Where(m => !m.SelectsProfile))
            BindOne(build, member, defaults, profile);
    }

    private void BindOne(object build, ParameterMember member, ParameterFile defaults, ParameterFile? profile)
    {
        var display = member.CliName;
        if (commandLine.Get(member.Key) is { } argument)
        {
            Set(build, member, ParameterValue.FromWords(argument.Values, member.Type, display, "command line"), "command line");
            return;
        }
        var variable = environment.GetVariable(member.EnvironmentVariable);
        if (!string.IsNullOrEmpty(variable))
        {
            var words = member.Type.IsArray ? variable.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [variable];
            Set(build, member, ParameterValue.FromWords(words, member.Type, display, "environment variable " + member.EnvironmentVariable), "environment");
            return;
        }
        foreach (var file in new[] { profile, defaults })
        {
            if (file == null || !file.TryGet(member.Key, out var json)) continue;
            if (member.IsSecret)
                throw new BuildFailure($"{file.Path}: secret parameter {display} must not be stored in plaintext in a parameter file; pass it from the environment ({member.EnvironmentVariable}) or an encrypted credentials file.");
            Set(build, member, ParameterValue.FromJson(json, member.Type, display, file.Path), file.Path);
            return;
        }
    }

    private void Set(object build, ParameterMember member, object? value, string source)
    {
        member.SetValue(build, value);
        Sources[member] = source;
    }

    private static ParameterFile LoadFile(string nukeDirectory, string name)
    {
        var path = Path.Combine(nukeDirectory, name);
        var display = Path.Combine(".nuke", name);
        return File.Exists(path) ? ParameterFile.Load(path, display) : ParameterFile.Empty(display);
    }

    private ParameterFile LoadProfile(ParameterMember member, string name)
    {
        var available = Profiles.Available(rootDirectory);
        if (!available.Contains(name))
            throw new BuildFailure(
                $"Unknown value '{name}' for {member.CliName}: there is no .nuke/parameters.{name}.json. Available: {(available.Count > 0 ? string.Join(", ", available) : "none")}.");
        return LoadFile(NukeDirectory, $"parameters.{name}.json");
    }

    private void ThrowOnUnknownArguments()
    {
        var known = members.Select(m => m.Key).ToHashSet();
        foreach (var argument in commandLine.Named)
        {
            if (known.Contains(NameStyle.Normalize(argument.Written))) continue;
            var suggestion = Closest(argument.Written.TrimStart('-'), members.Select(m => m.CliName[2..]));
            throw new BuildFailure(
                $"Unknown parameter {argument.Written}.{(suggestion != null ? $" Did you mean --{suggestion}?" : "")} Run with --help to list the parameters.");
        }
    }

    private void ThrowOnUnknownKeys(ParameterFile file)
    {
        var known = members.Select(m => m.Key).ToHashSet();
        foreach (var key in file.Keys)
        {
            if (known.Contains(NameStyle.Normalize(key))) continue;
            var suggestion = Closest(key, members.Select(m => m.Name));
            throw new BuildFailure(
                $"{file.Path}: unknown parameter '{key}'.{(suggestion != null ? $" Did you mean '{suggestion}'?" : "")} Remove it or declare it in the build.");
        }
    }

    private static string? Closest(string typed, IEnumerable<string> candidates) =>
        candidates
            .Select(c => (c, distance: Distance(NameStyle.Normalize(typed), NameStyle.Normalize(c))))
            .Where(x => x.distance <= Math.Max(2, typed.Length / 3))
            .OrderBy(x => x.distance)
            .Select(x => x.c)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}

using System.Text;

namespace BuildEngine;

/// <summary>--help: the targets with their descriptions and direct dependencies, then the parameters with their current values.</summary>
internal static class HelpText
{
    public static string Render(IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<ExecutableTarget> defaults,
        IReadOnlyList<ParameterMember> parameters, object build, IReadOnlyDictionary<ParameterMember, string> sources)
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: ./build.sh <Target> [<Target>...] [--parameter value...]");
        text.AppendLine();
        text.AppendLine("Targets (with their direct dependencies):");
        text.AppendLine();
        var listed = targets.Where(t => t.IsListed).ToList();
        var width = Math.Max(20, listed.Max(t => t.Name.Length + (defaults.Contains(t) ? 10 : 0)) + 2);
        foreach (var target in listed)
        {
            var name = target.Name + (defaults.Contains(target) ? " (default)" : "");
            var dependencies = target.ExecutionDependencies.Count > 0
                ? " -> " + string.Join(", ", target.ExecutionDependencies.Select(d => d.Name))
                : "";
            text.AppendLine($"  {name.PadRight(width)}{target.Description}{dependencies}");
        }
        text.AppendLine();
        text.AppendLine("Parameters (command line > NUKE_<NAME> environment variable > .nuke/parameters.<profile>.json > .nuke/parameters.json > default):");
        text.AppendLine();
        var own = parameters.Where(p => p.Member.DeclaringType != typeof(NukeBuild)).ToList();
        var builtIn = parameters.Where(p => p.Member.DeclaringType == typeof(NukeBuild)).ToList();
        var nameWidth = parameters.Max(p => p.CliName.Length) + 2;
        foreach (var group in new[] { own, builtIn })
        {
            foreach (var parameter in group)
                text.AppendLine($"  {parameter.CliName.PadRight(nameWidth)}{parameter.Description}{CurrentValue(parameter, build, sources)}");
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string CurrentValue(ParameterMember parameter, object build, IReadOnlyDictionary<ParameterMember, string> sources)
    {
        var value = parameter.GetValue(build);
        if (value == null || value is false || (value is Array { Length: 0 })) return "";
        var shown = parameter.IsSecret ? SecretMasker.Placeholder
            : value is Array array ? string.Join(" ", array.Cast<object>())
            : value.ToString();
        var source = sources.TryGetValue(parameter, out var s) ? $", from {s}" : "";
        return $"  [{shown}{source}]";
    }
}

namespace BuildEngine;

/// <summary>The process environment as the build sees it: variables and whether anyone can answer a prompt.</summary>
public interface IProcessEnvironment
{
    string? GetVariable(string name);

    IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>True when stdin is a terminal and CI is not set: only then may the build wait for input.</summary>
    bool IsInteractive { get; }
}

public sealed class SystemEnvironment : IProcessEnvironment
{
    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

    public IReadOnlyDictionary<string, string> Variables =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");

    public bool IsInteractive =>
        !Console.IsInputRedirected &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

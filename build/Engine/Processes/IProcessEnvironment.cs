namespace BuildEngine;

/// <summary>The process environment as the build sees it: variables and whether anyone can answer a prompt.</summary>
public interface IProcessEnvironment
{
    string? GetVariable(string name);

    IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>True when stdin is a terminal and CI is not set: only then may the build wait for input.</summary>
    bool IsInteractive { get; }

    /// <summary>True when stdout is a terminal: what is written there is seen, not kept in a log.</summary>
    bool OutputIsTerminal { get; }
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

    public bool OutputIsTerminal => !Console.IsOutputRedirected;
}

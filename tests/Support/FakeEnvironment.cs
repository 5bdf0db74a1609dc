using BuildEngine;

namespace Tests.Support;

public sealed class FakeEnvironment(Dictionary<string, string>? variables = null, bool interactive = false) : IProcessEnvironment
{
    private readonly Dictionary<string, string> _variables = variables ?? new();

    public string? GetVariable(string name) => _variables.GetValueOrDefault(name);
    public IReadOnlyDictionary<string, string> Variables => _variables;
    public bool IsInteractive { get; } = interactive;
    public bool OutputIsTerminal { get; } = interactive;
}

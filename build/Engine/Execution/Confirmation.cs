using Spectre.Console;

namespace BuildEngine;

/// <summary>
/// Asks before a destructive step. Nothing ever waits for input when nobody can answer (stdin redirected
/// or CI=true): then the step is refused unless --yes was given.
/// </summary>
public sealed class Confirmation(BuildLog log, IProcessEnvironment environment, bool assumeYes, TextReader? input = null)
{
    /// <summary>Asks the user to type <paramref name="expected"/> (e.g. the environment name) to go on.</summary>
    public void RequireTyped(string action, string expected)
    {
        if (assumeYes)
        {
            log.Info($"{action}: confirmed by --yes.");
            return;
        }
        if (!environment.IsInteractive)
            throw new BuildFailure($"{action} needs confirmation, and nobody can answer here (no terminal or CI=true): run it again with --yes.");
        var answer = Ask($"{action}. Type [bold]{Markup.Escape(expected)}[/] to confirm:");
        if (answer.Trim() != expected)
            throw new BuildFailure($"{action}: you typed '{answer.Trim()}', not '{expected}'; nothing was done.");
    }

    /// <summary>
    /// For a target that will ask whatever happens: refuses at its start, before any network call or lock, when nobody
    /// will be able to answer.
    /// </summary>
    public void RequireAnswerable(string action)
    {
        if (!assumeYes && !environment.IsInteractive)
            throw new BuildFailure($"{action} needs confirmation, and nobody can answer here (no terminal or CI=true): run it again with --yes.");
    }

    /// <summary>A yes/no question; refused like <see cref="RequireTyped"/> when nobody can answer.</summary>
    public void RequireYes(string question)
    {
        if (assumeYes) return;
        if (!environment.IsInteractive)
            throw new BuildFailure($"{question} needs confirmation, and nobody can answer here (no terminal or CI=true): run it again with --yes.");
        var answer = Ask($"{Markup.Escape(question)} [[y/N]]").Trim().ToLowerInvariant();
        if (answer is not ("y" or "yes"))
            throw new BuildFailure($"{question}: not confirmed; nothing was done.");
    }

    private string Ask(string markup)
    {
        log.Console.Markup(markup + " ");
        log.Flush();
        return (input ?? System.Console.In).ReadLine() ?? "";
    }
}

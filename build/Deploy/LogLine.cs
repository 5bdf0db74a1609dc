using System.Text.RegularExpressions;

namespace AccoReboot.Deploy;

/// <summary>A line of docker compose logs as it is printed here: without the terminal control sequences compose writes even with --ansi never.</summary>
static partial class LogLine
{
    public static string Clean(string line) => ControlSequence().Replace(line, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex ControlSequence();
}

namespace AccoReboot.Deploy.Remote;

/// <summary>POSIX shell quoting, in one place: every argument of a remote command goes through it, once.</summary>
static class Shell
{
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./-_".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\"'\"'") + "'";

    public static string Command(params string[] arguments) => string.Join(' ', arguments.Select(Quote));

    public static string Command(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));
}

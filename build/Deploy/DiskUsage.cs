namespace AccoReboot.Deploy;

/// <summary>Reads the line `df -h` prints for one file system.</summary>
static class DiskUsage
{
    /// <summary>From this much use a look at the stack says so: a full disk stops deploys and the database's WAL shipping.</summary>
    public const int WarnAtPercent = 80;

    /// <summary>The file system's use in percent, or null when the line is not df's.</summary>
    public static int? Percent(string dfLine) =>
        dfLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 6 } parts && int.TryParse(parts[4].TrimEnd('%'), out var percent)
            ? percent : null;

    /// <summary>A warning when the disk is <see cref="WarnAtPercent"/> % used or more, else null.</summary>
    public static string? Warning(string dfLine, string host) =>
        Percent(dfLine) is { } percent && percent >= WarnAtPercent
            ? $"The disk of {host} is {percent}% used ({Describe(dfLine)}): free space before it fills (old releases and images go with Deploy's prune; docker system prune removes the rest)."
            : null;

    /// <summary>"5.0G of 20G used (25%), 15G free on /" from "/dev/sda1 20G 5.0G 15G 25% /".</summary>
    public static string Describe(string dfLine)
    {
        var parts = dfLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 6
            ? $"{parts[2]} of {parts[1]} used ({parts[4]}), {parts[3]} free on {parts[5]}"
            : $"unknown ({dfLine.Trim()})";
    }
}

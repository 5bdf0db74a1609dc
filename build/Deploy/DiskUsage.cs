namespace AccoReboot.Deploy;

/// <summary>Reads the line `df -h` prints for one file system.</summary>
static class DiskUsage
{
    /// <summary>"5.0G of 20G used (25%), 15G free on /" from "/dev/sda1 20G 5.0G 15G 25% /".</summary>
    public static string Describe(string dfLine)
    {
        var parts = dfLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 6
            ? $"{parts[2]} of {parts[1]} used ({parts[4]}), {parts[3]} free on {parts[5]}"
            : $"unknown ({dfLine.Trim()})";
    }
}

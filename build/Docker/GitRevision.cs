using BuildEngine;

namespace AccoReboot.Docker;

/// <summary>The commit the image is built from, and whether its sources have changes not committed yet.</summary>
sealed record GitRevision(string Sha, bool Dirty)
{
    /// <summary>The image tag: the short sha, with -dirty when the sources differ from the commit.</summary>
    public string Tag => Dirty ? Sha + "-dirty" : Sha;

    public static async Task<GitRevision> ReadAsync(ProcessRunner processes, string root, string sourceDirectory, CancellationToken ct)
    {
        // both at once, off the caller's thread (starting a process costs milliseconds the caller can spend elsewhere)
        var asked = Task.Run(() => processes.RunAsync("git", ["rev-parse", "--short=12", "HEAD"], root, echoOutput: false, cancellationToken: ct), ct);
        var changes = Task.Run(() => processes.RunAsync("git", ["status", "--porcelain", "--", sourceDirectory], root, echoOutput: false, cancellationToken: ct), ct);
        var sha = await asked;
        if (!sha.Succeeded)
            throw new BuildFailure($"Cannot tell the commit to tag the image with (git rev-parse: {sha.StandardError.Trim().Split('\n')[0]}): build from a git checkout with at least one commit.");
        var status = await changes;
        return new GitRevision(sha.StandardOutput.Trim(), status.StandardOutput.Trim().Length > 0);
    }
}

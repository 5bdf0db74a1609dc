namespace AccoReboot.Deploy.Remote;

/// <summary>
/// The deploy user's authorized_keys, changed over SSH by Rotate --what deploy-key. Each command rewrites the whole
/// file beside it and renames it over (an interrupted rotation leaves the old file, never half of one), mode 600 as
/// sshd's StrictModes wants, and matches keys by type and material (a comment may differ).
/// </summary>
static class AuthorizedKeys
{
    /// <summary>
    /// Where the file is: sshd's default AuthorizedKeysFile (.ssh/authorized_keys in the user's home, sshd_config(5)),
    /// where cloud-init writes the instance's key; the sandbox's sshd keeps one file per sandbox and names it with SetEnv.
    /// </summary>
    public const string FileVariable = "ACCOREBOOT_AUTHORIZED_KEYS";

    private const string Locate =
        "f=\"${" + FileVariable + ":-$HOME/.ssh/authorized_keys}\"; [ -f \"$f\" ] || { echo \"$f does not exist\" >&2; exit 3; }; ";

    /// <summary>Adds <paramref name="publicKey"/> unless the file holds it already; the keys there stay.</summary>
    public static string Add(string publicKey) =>
        Locate + $"grep -qF -- {Shell.Quote(Material(publicKey))} \"$f\" || " +
        $"{{ (umask 077 && {{ awk 1 \"$f\"; printf '%s\\n' {Shell.Quote(publicKey.Trim())}; }} > \"$f.tmp\") && mv \"$f.tmp\" \"$f\"; }}";

    /// <summary>Removes every line of <paramref name="removed"/>; refuses (exit 3) if <paramref name="kept"/> would not be left.</summary>
    public static string Remove(string removed, string kept)
    {
        if (Material(removed) == Material(kept)) throw new ArgumentException("The key removed is the key kept.", nameof(removed));
        return Locate + $"(umask 077 && {{ grep -vF -- {Shell.Quote(Material(removed))} \"$f\" || true; }} > \"$f.tmp\") && " +
               $"if grep -qF -- {Shell.Quote(Material(kept))} \"$f.tmp\"; then mv \"$f.tmp\" \"$f\"; " +
               "else rm -f \"$f.tmp\"; echo \"the new deploy key is not in $f: the old one stays\" >&2; exit 3; fi";
    }

    /// <summary>Type and base64 material: what identifies a key in a line of authorized_keys.</summary>
    private static string Material(string publicKey)
    {
        var material = Secrets.DeployKey.MaterialOf(publicKey);
        if (!material.Contains(' ') || !material.StartsWith("ssh-", StringComparison.Ordinal) && !material.StartsWith("ecdsa-", StringComparison.Ordinal))
            throw new ArgumentException("Not an OpenSSH public key (type and base64 material).", nameof(publicKey));
        return material;
    }
}

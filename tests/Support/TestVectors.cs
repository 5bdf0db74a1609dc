namespace Tests.Support;

/// <summary>The verified vectors in tests/testvectors (SOPS files made by the real sops and age; OVH signatures).</summary>
public static class TestVectors
{
    public static string Directory { get; } = Find();

    public static string Sops(string name) => File.ReadAllText(Path.Combine(Directory, "sops", name));

    public static string SopsPath(string name) => Path.Combine(Directory, "sops", name);

    public static string Ovh(string name) => File.ReadAllText(Path.Combine(Directory, "ovh", name));

    /// <summary>The identity line of age-test-identity.txt.</summary>
    public static string AgeIdentity => Sops("age-test-identity.txt").Split('\n').First(l => l.StartsWith("AGE-SECRET-KEY-1")).Trim();

    public static byte[] PgpDataKey => Convert.FromHexString(Sops("pgp-format.datakey.hex").Trim());

    private static string Find()
    {
        foreach (var candidate in new[] { Repository.Path("tests", "testvectors") })
            if (candidate != null && System.IO.Directory.Exists(Path.Combine(candidate, "sops")))
                return Path.GetFullPath(candidate);
        throw new InvalidOperationException("test vectors not found (tests/testvectors)");
    }
}

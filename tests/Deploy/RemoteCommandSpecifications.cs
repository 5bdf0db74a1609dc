using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using Tests.Support;

namespace Tests.Deploy;

/// <summary>
/// The decisions and commands of the SSH layer, without a server: whom to trust at first contact, and what the
/// remote commands do, run in a local shell on a scratch directory (the same POSIX sh and coreutils as the host's).
/// </summary>
[Trait("Category", "Unit")]
public class RemoteCommandSpecifications
{
    private static readonly HostKey Presented = new("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H");
    private static readonly HostKey Other = new("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g");

    private static DeployTarget Target(HostKey? pinned) => new(new SshTarget("203.0.113.10", 22, "deploy", "unused"), pinned, _ => Task.FromResult(""), null);

    public static TheoryData<string, bool, bool, string?> TrustCases => new()
    {
        // case, trusted, pinned now, what the refusal says
        { "pinned, same key", true, false, null },
        { "pinned, another key", false, false, "is not the one pinned at first contact" },
        { "console lists it", true, true, null },
        { "known_hosts lists it", true, true, null },
        { "console lists another", false, false, "is not among the fingerprints its console shows" },
        { "nothing to check against", false, false, "its console shows no SSH host key fingerprints yet" },
    };

    [Theory, MemberData(nameof(TrustCases))]
    public void A_host_key_is_trusted_only_when_the_pin_the_console_or_known_hosts_vouch_for_it(string @case, bool trusted, bool pinnedNow, string? refusal)
    {
        var trust = @case switch
        {
            "pinned, same key" => new HostKeyTrust(Target(Presented), new HashSet<string>(), []),
            "pinned, another key" => new HostKeyTrust(Target(Other), new HashSet<string> { Presented.Fingerprint }, [Presented]),
            "console lists it" => new HostKeyTrust(Target(null), new HashSet<string> { Presented.Fingerprint }, []),
            "known_hosts lists it" => new HostKeyTrust(Target(null), new HashSet<string>(), [Other, Presented]),
            "console lists another" => new HostKeyTrust(Target(null), new HashSet<string> { Other.Fingerprint }, []),
            _ => new HostKeyTrust(Target(null), new HashSet<string>(), []),
        };
        var decision = trust.Decide(Presented);
        Assert.Equal(trusted, decision == null);
        Assert.Equal(pinnedNow, trust.Pinned);
        if (refusal != null) Assert.Contains(refusal, decision);
        if (!trusted) Assert.EndsWith("Not connecting.", decision);
    }

    [Fact]
    public void The_console_fingerprints_are_read_from_cloud_inits_block_only()
    {
        var console = $"boot… SHA256:{new string('x', 43)} outside\n-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 {Presented.Fingerprint} root@host (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----\n";
        Assert.Equal([Presented.Fingerprint], HostKeyPin.FingerprintsFromConsole(console));
        Assert.Empty(HostKeyPin.FingerprintsFromConsole("cloud-init still running"));
        Assert.Equal([Presented], HostKeyPin.FromKnownHosts($"# comment\nother.example {Other.Algorithm} {Other.PublicKeyBase64}\n[203.0.113.10]:2222 {Presented.Algorithm} {Presented.PublicKeyBase64}\n", "203.0.113.10", 2222));
    }

    private static Tool.Result Shell(string command) => Tool.Run("sh", ["-c", command]);

    [Fact]
    public void The_instance_reached_last_time_counts_only_when_the_state_names_the_same_instance_address_and_host_key()
    {
        using var scratch = new TempDirectory();
        var file = scratch.Combine("temp", "last-contact-test.json");
        var site = new DeployedEnvironment("srv-1", "203.0.113.10", Presented, "pg.example", 5432, null, "sealed");
        Assert.Null(LastContact.Read(file));
        LastContact.Of(site)!.WriteTo(file);
        var last = LastContact.Read(file)!;
        Assert.True(last.Matches(site));
        Assert.False(last.Matches(site with { InstanceId = "srv-2" })); // a replaced instance
        Assert.False(last.Matches(site with { Ipv4 = "203.0.113.11" }));
        Assert.False(last.Matches(site with { PinnedKey = Other }));
        Assert.False(last.Matches(site with { PinnedKey = null }));
        Assert.Null(LastContact.Of(site with { PinnedKey = null })); // nothing pinned: nothing to reach early
        File.WriteAllText(file, "{ not json");
        Assert.Null(LastContact.Read(file)); // only a head start: a damaged file is no file
    }

    [Fact]
    public void Authorized_keys_gain_the_new_key_once_and_lose_the_old_one_only_while_the_new_one_stays()
    {
        using var scratch = new TempDirectory();
        var file = scratch.Combine("authorized keys");
        const string old = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldOldOldOldOldOldOldOldOldOldOldOldOld0 deploy@laptop";
        const string fresh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINewNewNewNewNewNewNewNewNewNewNewNewNew0 accoreboot-test-deploy-20261203";
        const string admin = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDadmin admin@office";
        File.WriteAllText(file, $"# added by hand\n{admin}\n{old}"); // no newline at the end, as editors may leave it
        var environment = new Dictionary<string, string?> { [AuthorizedKeys.FileVariable] = file };
        Tool.Result Run(string command) => Tool.Run("sh", ["-c", command], environment: environment);

        Assert.Equal(0, Run(AuthorizedKeys.Add(fresh)).ExitCode);
        Assert.Equal(0, Run(AuthorizedKeys.Add(fresh.Replace(" accoreboot-test-deploy-20261203", " another-comment"))).ExitCode); // same key: not twice
        Assert.Equal($"# added by hand\n{admin}\n{old}\n{fresh}\n", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // the new key must be there for the old one to go: otherwise nothing changes and the command says why
        const string absent = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbsentAbsentAbsentAbsentAbsentAbsentAbs0 x";
        var refused = Run(AuthorizedKeys.Remove(old, absent));
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("the new deploy key is not in", refused.Error);
        Assert.Contains(old, File.ReadAllText(file));
        Assert.False(File.Exists(file + ".tmp"));

        Assert.Equal(0, Run(AuthorizedKeys.Remove(old.Replace(" deploy@laptop", ""), fresh)).ExitCode);
        Assert.Equal($"# added by hand\n{admin}\n{fresh}\n", File.ReadAllText(file));
        Assert.Throws<ArgumentException>(() => AuthorizedKeys.Remove(fresh, fresh + " other"));
        Assert.Throws<ArgumentException>(() => AuthorizedKeys.Add("not a key"));

        File.Delete(file);
        var missing = Run(AuthorizedKeys.Add(fresh));
        Assert.Equal((3, $"{file} does not exist"), (missing.ExitCode, missing.Error.Trim()));
    }

    [Fact]
    public void The_deploy_lock_is_one_mkdir_and_a_held_one_answers_3_with_its_owner_quoted_safely()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Combine("app dir"), "accoreboot", "/nonexistent");
        const string owner = "o'brien@laptop Deploy $(touch pwned) 2026-12-01";
        Assert.Equal(0, Shell(layout.Lock(owner)).ExitCode);
        var held = Shell(layout.Lock("someone else"));
        Assert.Equal((3, owner), (held.ExitCode, held.Out.Trim()));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "pwned")));
        Assert.Equal(0, Shell(layout.Unlock()).ExitCode);
        Assert.Equal(0, Shell(layout.Lock("someone else")).ExitCode);
    }

    [Fact]
    public void Switching_the_release_is_one_rename_and_the_releases_list_leaves_unfinished_ones_out()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Path, "accoreboot", "/nonexistent");
        foreach (var release in new[] { "20261201-100000-aaaa", "20261201-110000-bbbb", "20261201-120000-cccc.tmp" })
            Directory.CreateDirectory(scratch.Combine("releases", release));
        Assert.Equal(0, Shell(layout.Switch("20261201-100000-aaaa")).ExitCode);
        Assert.Equal(0, Shell(layout.Switch("20261201-110000-bbbb")).ExitCode);
        Assert.Equal("releases/20261201-110000-bbbb", Shell($"readlink {scratch.Combine("current")}").Out.Trim());
        Assert.False(File.Exists(scratch.Combine("current.new")));
        Assert.Equal(["20261201-100000-aaaa", "20261201-110000-bbbb"], Shell(layout.Releases()).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var facts = Shell(layout.Facts()).Out;
        Assert.Contains("marker=no", facts);
        Assert.Contains($"current={scratch.Combine("releases")}/20261201-110000-bbbb", facts.Replace("current=releases/", $"current={scratch.Combine("releases")}/"));
    }

    [Fact]
    public void Pruning_keeps_the_last_releases_and_removes_the_images_only_old_releases_named()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Combine("app"), "accoreboot", "/nonexistent");
        foreach (var (release, commit) in new[] { ("20261201-100000-a", "c1"), ("20261201-110000-b", "c2"), ("20261201-120000-c", "c3") })
            scratch.File($"app/releases/{release}/docker-compose.yml", $"services:\n  api:\n    image: 127.0.0.1:18082/accoreboot-api:{commit}\n  emqx:\n    image: \"local/emqx-standin:trixie\"\n");
        // a docker that lists images and records what it is asked to remove
        scratch.File("bin/docker", """
            #!/bin/sh
            case "$1" in
              ps) ;;
              images) case "$4" in
                127.0.0.1:18082/accoreboot-api) printf '%s\n' 127.0.0.1:18082/accoreboot-api:c1 127.0.0.1:18082/accoreboot-api:c2 127.0.0.1:18082/accoreboot-api:c3 ;;
                local/emqx-standin) printf '%s\n' local/emqx-standin:trixie local/emqx-standin:old ;;
                *) echo "unexpected repository $4" >> "$(dirname "$0")/removed" ;;
              esac ;;
              rmi) shift; printf '%s\n' "$@" >> "$(dirname "$0")/removed" ;;
            esac
            """);
        Shell($"chmod +x {scratch.Combine("bin", "docker")}");
        var prune = Tool.Run("sh", ["-c", layout.Prune(keep: 2)], environment: new Dictionary<string, string?> { ["PATH"] = scratch.Combine("bin") + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(prune.ExitCode == 0, prune.All);
        Assert.Equal(["20261201-110000-b", "20261201-120000-c"], Directory.GetDirectories(scratch.Combine("app", "releases")).Select(Path.GetFileName).Order());
        Assert.Equal(["127.0.0.1:18082/accoreboot-api:c1", "local/emqx-standin:old"], File.ReadAllLines(scratch.Combine("bin", "removed")).Order());
    }

    [Fact]
    public void A_kept_jwt_key_is_restored_readable_by_its_owner_alone_never_over_one_there_and_read_back_whole()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Path, "accoreboot", "/nonexistent");
        // a stand-in with a key file's shape, no key material: the commands copy bytes, they do not parse keys
        const string pem = "-----BEGIN TEST FIXTURE-----\nnot-a-key-only-bytes-to-copy\n-----END TEST FIXTURE-----\n";
        Assert.Equal(0, Tool.Run("sh", ["-c", layout.RestoreJwtKey("jwt-20261201100000.key.pem")], input: pem).ExitCode);
        Assert.Equal(0, Tool.Run("sh", ["-c", layout.RestoreJwtKey("jwt-20261201100000.key.pem")], input: "another key\n").ExitCode);
        Assert.Equal(pem, File.ReadAllText(scratch.Combine("keys", "jwt-20261201100000.key.pem")));
        Assert.Equal("600", Shell($"stat -c %a {scratch.Combine("keys", "jwt-20261201100000.key.pem")}").Out.Trim());
        Assert.Equal(pem, AccoReboot.Deploy.Deployer.ParseJwtKeys(Shell(layout.JwtKeys()).Out)["jwt-20261201100000.key.pem"]);
        Assert.Throws<ArgumentException>(() => layout.RestoreJwtKey("../../etc/passwd"));
    }

    [Fact]
    public void A_rotated_JWT_key_is_made_beside_the_others_readable_by_its_owner_only_and_retired_by_name()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Path, "accoreboot", "/nonexistent");
        Assert.Equal(0, Tool.Run("sh", ["-c", layout.RestoreJwtKey("jwt-20261201100000.key.pem")], input: "old key\n").ExitCode);
        var made = Shell(layout.NewJwtKey("jwt-20261202190000.key.pem"));
        Assert.True(made.ExitCode == 0, made.All);
        Assert.Equal("600", Shell($"stat -c %a {scratch.Combine("keys", "jwt-20261202190000.key.pem")}").Out.Trim());
        Assert.Contains("PRIVATE KEY", File.ReadAllText(scratch.Combine("keys", "jwt-20261202190000.key.pem")));
        Assert.False(File.Exists(scratch.Combine("keys", "jwt-20261202190000.key.pem.tmp")));
        Assert.Equal(["jwt-20261201100000.key.pem", "jwt-20261202190000.key.pem"], AccoReboot.Deploy.Deployer.ParseJwtKeys(Shell(layout.JwtKeys()).Out).Keys.Order());
        Assert.Equal(0, Shell(layout.RetireJwtKeys(["jwt-20261201100000.key.pem"])).ExitCode);
        Assert.Equal(["jwt-20261202190000.key.pem"], AccoReboot.Deploy.Deployer.ParseJwtKeys(Shell(layout.JwtKeys()).Out).Keys);
        Assert.Throws<ArgumentException>(() => layout.RetireJwtKeys(["*"]));
        Assert.Throws<ArgumentException>(() => layout.NewJwtKey("../id_rsa"));
        // docker kill (any signal) marks the container stopped by hand: its restart policy would not restart it after a crash
        Assert.DoesNotContain("kill -s", layout.ReloadJwtKeys());
        Assert.Contains("exec -T api sh -c", layout.ReloadJwtKeys());
    }

    [Fact]
    public void Old_JWT_keys_are_retired_once_their_overlap_is_over()
    {
        var now = DateTimeOffset.Parse("2026-12-02T19:00:00Z");
        var state = new AccoReboot.State.StateDocument
        {
            Environment = "test",
            JwtKeysRetiring = new Dictionary<string, DateTimeOffset> { ["jwt-b.key.pem"] = now, ["jwt-a.key.pem"] = now.AddMinutes(-5), ["jwt-c.key.pem"] = now.AddSeconds(1) },
        };
        Assert.Equal(["jwt-a.key.pem", "jwt-b.key.pem"], JwtKeyRotation.Due(state, now));
        Assert.Empty(JwtKeyRotation.Due(state, now.AddHours(-1)));
        Assert.Equal(TimeSpan.FromMinutes(65), JwtKeyRotation.DefaultOverlap);
    }

    [Fact]
    public void A_disk_used_at_80_percent_or_more_is_a_warning_naming_the_host()
    {
        Assert.Null(DiskUsage.Warning("/dev/sda1 20G 15G 5.0G 79% /", "203.0.113.10"));
        Assert.StartsWith("The disk of 203.0.113.10 is 80% used (16G of 20G used (80%), 4.0G free on /)", DiskUsage.Warning("/dev/sda1 20G 16G 4.0G 80% /", "203.0.113.10"));
        Assert.Null(DiskUsage.Warning("df: /opt/accoreboot: No such file or directory", "203.0.113.10"));
    }

    [Fact]
    public void An_upload_whose_checksum_does_not_match_is_not_unpacked()
    {
        using var scratch = new TempDirectory();
        var layout = new RemoteLayout(scratch.Path, "accoreboot", "/nonexistent");
        var bundle = ReleaseBundle.Of(StackFixture.Render(StackFixture.Cloud()));
        Directory.CreateDirectory(scratch.Combine(".upload"));
        File.WriteAllBytes(layout.UploadPath("r1"), bundle.Bytes);
        Assert.Equal(0, Shell(layout.Unpack("r1", bundle.Sha256, "hash-1")).ExitCode);
        Assert.Equal("hash-1", File.ReadAllText(scratch.Combine("releases", "r1", ".release-hash")).Trim());
        Assert.Equal("600", Shell($"stat -c %a {scratch.Combine("releases", "r1", ".env")}").Out.Trim());

        var corrupt = bundle.Bytes.ToArray();
        corrupt[^1] ^= 0xff;
        File.WriteAllBytes(layout.UploadPath("r2"), corrupt);
        Assert.NotEqual(0, Shell(layout.Unpack("r2", bundle.Sha256, "hash-2")).ExitCode);
        Assert.False(Directory.Exists(scratch.Combine("releases", "r2")));
    }
}

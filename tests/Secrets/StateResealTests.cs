using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using AccoReboot.State;
using Tests.Support;

namespace Tests.Secrets;

/// <summary>
/// Secrets that follow the team: the state's sealed values are sealed again by SopsUpdateKeys, so a recipient added
/// can open them (and so deploy); a recipient removed leaves the database password marked for rotation, and the next
/// Apply resets it and says why.
/// </summary>
[Trait("Category", "Integration")]
public class StateResealTests
{
    private static readonly AgeIdentity Alice = ProvisioningRepository.Identity;
    private static readonly AgeIdentity Bob = AgeIdentity.Generate();

    private static StateDocument State(Emulator emulator) =>
        StateDocument.Parse(System.Text.Encoding.UTF8.GetString(emulator.Cloud.World.S3.Get("accoreboot-state-test", "test/state.json")!.Body), "state");

    private static string Open(string sealedValue, AgeIdentity identity) =>
        System.Text.Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(sealedValue[(sealedValue.IndexOf('\n') + 1)..]), [identity]));

    private static void Team(TempDirectory root, params AgeIdentity[] team) =>
        root.File(".sops.yaml", $"creation_rules:\n  - path_regex: credentials/.*\\.enc\\.env$\n    age: {string.Join(",", team.Select(t => t.Recipient))}\n");

    [Fact]
    public async Task A_recipient_added_can_open_the_states_secrets_and_a_removed_ones_password_is_rotated_by_the_next_Apply()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        Assert.Equal(0, EngineRun.In<Build>(root, ["Apply", "--env", "test"], CredentialsRepository.Key(Alice)).ExitCode);
        var first = State(emulator);
        var password = Open(first.Outputs.SealedDatabasePassword!, Alice);
        Assert.Throws<AgeFile.NoMatchingIdentity>(() => Open(first.Outputs.SealedDatabasePassword!, Bob));

        // Bob joins: the credentials and the state are sealed to him too, nothing is due for rotation
        Team(root, Alice, Bob);
        var added = EngineRun.In<Build>(root, ["SopsUpdateKeys"], CredentialsRepository.Key(Alice));
        Assert.True(added.ExitCode == 0, added.All);
        Assert.Contains("test: re-sealed 2 secrets of its state to today's recipients.", added.Out); // the outputs' and the user's slice
        var shared = State(emulator);
        Assert.Equal(password, Open(shared.Outputs.SealedDatabasePassword!, Bob));
        Assert.Equal(password, Open(shared.Outputs.SealedDatabasePassword!, Alice));
        Assert.Empty(shared.RotationDue);
        Assert.Equal(first.Serial + 1, shared.Serial);

        // Alice leaves: Bob re-seals; she may have kept the password, so it is due for rotation
        Team(root, Bob);
        var removed = EngineRun.In<Build>(root, ["SopsUpdateKeys"], CredentialsRepository.Key(Bob));
        Assert.True(removed.ExitCode == 0, removed.All);
        Assert.Contains("test: the database password is due for rotation", removed.All);
        Assert.Contains("the next Apply --env test resets it", removed.All);
        var marked = State(emulator);
        Assert.Throws<AgeFile.NoMatchingIdentity>(() => Open(marked.Outputs.SealedDatabasePassword!, Alice));
        Assert.Contains(Alice.Recipient.ToString(), marked.RotationDue[StateDocument.DatabasePasswordRotation]);

        var plan = EngineRun.In<Build>(root, ["Plan", "--env", "test"], CredentialsRepository.Key(Bob));
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("password: (due for rotation: " + Alice.Recipient, plan.Out);
        var apply = EngineRun.In<Build>(root, ["Apply", "--env", "test"], CredentialsRepository.Key(Bob));
        Assert.True(apply.ExitCode == 0, apply.All);
        var rotated = State(emulator);
        Assert.Empty(rotated.RotationDue);
        Assert.NotEqual(password, Open(rotated.Outputs.SealedDatabasePassword!, Bob));
        Assert.Equal(0, EngineRun.In<Build>(root, ["Plan", "--env", "test"], CredentialsRepository.Key(Bob)).ExitCode); // nothing left to do
        foreach (var run in new[] { added, removed, plan, apply })
            Assert.DoesNotContain(password, run.All);
    }
}

using Tests.Support;

namespace Tests.Engine;

/// <summary>build.ps1 in PowerShell 7 on Linux (the PowerShell dotnet tool Setup installs): help, and `--` passthrough.</summary>
[Trait("Category", "Integration")]
public class BootstrapTests
{
    private static string Pwsh =>
        new[] { Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".dotnet", "tools", "pwsh"), "/usr/bin/pwsh" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("pwsh is missing: ./build.sh Setup installs it (dotnet tool install -g PowerShell --version 7.6.9).");

    private static Tool.Result BuildPs1(params string[] arguments) =>
        Tool.Run(Pwsh, ["-NoProfile", "-File", Repository.Path("build.ps1"), .. arguments], environment: new Dictionary<string, string?> { ["NO_COLOR"] = "1" },
            timeout: TimeSpan.FromMinutes(5));

    [Fact]
    public void Build_ps1_prints_the_help_in_powershell_7_on_linux()
    {
        var help = BuildPs1("--help");
        Assert.True(help.ExitCode == 0, help.All);
        Assert.Contains("Smoke", help.Out);
        Assert.DoesNotContain("Cannot bind argument", help.All);
    }

    [Fact]
    public void Build_ps1_passes_everything_after_the_double_dash_to_exec()
    {
        var exec = BuildPs1("Exec", "--env", "sandbox", "--", "sh", "-c", "echo passthrough-$((40 + 2)) \"$1\"", "sh", "--not-a-build-option");
        Assert.True(exec.ExitCode == 0, exec.All);
        Assert.Contains("passthrough-42 --not-a-build-option", exec.Out);
    }
}

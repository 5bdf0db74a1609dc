using System.Text.Json;
using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class SchemaTests
{
    [Fact]
    public void The_schema_describes_the_parameters_targets_and_profiles()
    {
        using var run = EngineRun.Of<ParameterBuild>("--help", root => root.File(".nuke/parameters.test.json", "{}"));
        using var schema = JsonDocument.Parse(File.ReadAllText(run.Root.Combine(".nuke", "build.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        Assert.Equal("integer", properties.GetProperty("Count").GetProperty("type").GetString());
        Assert.Equal("array", properties.GetProperty("AdminCidrs").GetProperty("type").GetString());
        Assert.Equal(["Small", "Large"], properties.GetProperty("Size").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["test"], properties.GetProperty("Env").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.False(properties.TryGetProperty("ApiToken", out _), "a secret has no place in a parameter file");
        Assert.Contains("Deploy", schema.RootElement.GetProperty("definitions").GetProperty("ExecutableTarget").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void The_schema_is_not_rewritten_when_its_content_is_unchanged()
    {
        using var first = EngineRun.Of<ParameterBuild>("--help");
        var path = first.Root.Combine(".nuke", "build.schema.json");
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        var host = first.Root;
        var second = BuildEngine.BuildRunner.Run<ParameterBuild>(["--help"], new BuildEngine.BuildHost
        {
            Out = new StringWriter(), Error = new StringWriter(), In = new StringReader(""),
            Environment = new FakeEnvironment(), WorkingDirectory = host.Path, Ansi = false,
        });
        Assert.Equal(0, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }
}

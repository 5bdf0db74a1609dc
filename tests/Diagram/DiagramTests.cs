using System.Xml.Linq;
using AccoReboot.Diagram;
using Tests.Support;

namespace Tests.Diagram;

public class DiagramTests
{
    private static readonly DiagramFacts Test = new("test", "GRA11", "b3-8", "Ubuntu 24.04", false, 80, 443, 1883, null, ["203.0.113.0/24"], null,
        "17", "essential", "db1-4", 1, "GRA", ["accoreboot", "powersync_storage"], "02:00:00", "accoreboot-state-test", "GRA",
        "emqx/emqx:5.8.9", "journeyapps/powersync-service:1.26.0", "caddy:2.10.2-alpine", null);

    private static readonly DiagramFacts Prod = Test with
    {
        Environment = "prod", Protected = true, Flavor = "b3-16", DbPlan = "business", DbFlavor = "db1-15", DbNodes = 2, Domain = "api.accoreboot.example",
        Live = new LiveFacts("6f1c2a7e-0000-4000-8000-000000000001", "198.51.100.7", "postgresql-abc.database.cloud.ovh.net:20184", "READY",
            "20261202-184501-3f2a1c9d", DateTimeOffset.Parse("2026-12-02T18:45:01Z")),
    };

    [Fact]
    [Trait("Category", "Unit")]
    public void The_picture_shows_what_is_declared_and_what_the_state_records()
    {
        var declared = XDocument.Parse(EnvironmentDiagram.Render(Test)); // well-formed SVG
        var texts = declared.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.Contains("AccoReboot · test · OVHcloud GRA11", texts);
        Assert.Contains("As declared in .nuke/parameters.test.json (no state read)", texts);
        Assert.Contains("b3-8 · Ubuntu 24.04 · address given at Apply", texts);
        Assert.Contains("essential · db1-4 × 1 · GRA", texts);
        Assert.Contains("in: tcp 80, 443, 1883 from anywhere; 22 from admin CIDRs", texts);
        Assert.Contains("from 203.0.113.0/24", texts);
        Assert.DoesNotContain(texts, t => t.StartsWith("DNS zone", StringComparison.Ordinal)); // no domain, no record

        var live = EnvironmentDiagram.Render(Prod);
        XDocument.Parse(live);
        Assert.Contains("AccoReboot · prod · OVHcloud GRA11 · protected", live);
        Assert.Contains("b3-16 · Ubuntu 24.04 · 198.51.100.7 · 6f1c2a7e-000…", live);
        Assert.Contains("business · db1-15 × 2 · GRA", live);
        Assert.Contains("api.accoreboot.example A → 198.51.100.7", live);
        Assert.Contains("release 20261202-184501-3f2a1c9d", live);
        Assert.Contains("last change 2026-12-02 18:45 UTC", live);
        Assert.Contains("(READY)", live);
    }

    [Fact]
    [Trait("Category", "Unit")]
    public void Text_is_escaped()
    {
        var svg = EnvironmentDiagram.Render(Test with { AdminCidrs = ["<script>&"] });
        XDocument.Parse(svg);
        Assert.Contains("from &lt;script&gt;&amp;", svg);
    }

    /// <summary>The picture as a browser draws it (Debian's Chromium, headless): its boxes and texts take room on the page.</summary>
    [Fact]
    [Trait("Category", "Integration")]
    public void Chromium_draws_the_picture()
    {
        using var directory = new TempDirectory();
        var page = Path.Combine(directory.Path, "diagram.html");
        File.WriteAllText(page, $$"""
            <!doctype html><html><body>
            {{EnvironmentDiagram.Render(Prod)}}
            <script>
              const svg = document.querySelector('svg');
              const box = svg.getBBox();
              const drawn = [...svg.querySelectorAll('text')].filter(t => t.getComputedTextLength() > 0).length;
              document.body.setAttribute('data-result', `bbox ${Math.round(box.width)}x${Math.round(box.height)} texts ${drawn}/${svg.querySelectorAll('text').length}`);
            </script></body></html>
            """);
        var chromium = Tool.Run("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom", "file://" + page], timeout: TimeSpan.FromMinutes(2));
        Assert.True(chromium.ExitCode == 0, chromium.All);
        var result = System.Text.RegularExpressions.Regex.Match(chromium.Out, @"data-result=""bbox (\d+)x(\d+) texts (\d+)/(\d+)""");
        Assert.True(result.Success, chromium.Out[..Math.Min(2000, chromium.Out.Length)]);
        Assert.True(int.Parse(result.Groups[1].Value) >= 1100 && int.Parse(result.Groups[2].Value) >= 600, result.Value); // the whole picture
        Assert.Equal(result.Groups[4].Value, result.Groups[3].Value); // every text drawn with a width
        Assert.True(int.Parse(result.Groups[3].Value) > 40, result.Value);
    }
}

using System.Text.RegularExpressions;
using AccoReboot.Secrets.Age;
using BuildEngine;
using YamlDotNet.RepresentationModel;

namespace AccoReboot.Secrets;

/// <summary>
/// .sops.yaml: creation rules, the first whose path_regex matches a file gives its age recipients
/// (a comma-separated string, as sops writes it, or a YAML list).
/// </summary>
sealed class SopsConfig(IReadOnlyList<SopsConfig.Rule> rules, string fileName)
{
    public sealed record Rule(Regex? PathRegex, IReadOnlyList<string> AgeRecipients, bool HasKeyGroups);

    public IReadOnlyList<Rule> Rules { get; } = rules;

    public static SopsConfig Load(string path, string displayName)
    {
        if (!File.Exists(path))
            throw new BuildFailure($"{displayName} is missing: it lists who can open the credentials files (see README, Credentials).");
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new BuildFailure($"{displayName}:{e.Start.Line}:{e.Start.Column}: malformed YAML ({e.Message.Split('\n')[0]}).");
        }
        var root = yaml.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        if (root == null || !root.Children.TryGetValue(new YamlScalarNode("creation_rules"), out var rulesNode) || rulesNode is not YamlSequenceNode sequence)
            throw new BuildFailure($"{displayName}: expected a creation_rules list.");
        foreach (var (key, _) in root.Children)
            if (key is not YamlScalarNode { Value: "creation_rules" })
                throw new BuildFailure($"{displayName}:{key.Start.Line}: unknown key '{key}': this build reads creation_rules only (sops's stores and destination_rules are not used here).");
        var rules = new List<Rule>();
        foreach (var entry in sequence)
        {
            if (entry is not YamlMappingNode node)
                throw new BuildFailure($"{displayName}:{entry.Start.Line}: a creation rule must be a mapping (path_regex:, age:).");
            foreach (var (key, _) in node.Children)
                if (Unsupported(key.ToString()) is { } why)
                    throw new BuildFailure($"{displayName}:{key.Start.Line}: {why}");
            string? Scalar(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
            Regex? regex = null;
            if (Scalar("path_regex") is { Length: > 0 } pattern)
            {
                try
                {
                    regex = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    var line = node.Children[new YamlScalarNode("path_regex")].Start.Line;
                    throw new BuildFailure($"{displayName}:{line}: path_regex '{pattern}' is not a valid regular expression ({e.Message.Split('\n')[0].TrimEnd('.')}).");
                }
            }
            var recipients = node.Children.TryGetValue(new YamlScalarNode("age"), out var age)
                ? age switch
                {
                    YamlScalarNode scalar => (scalar.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    YamlSequenceNode list => list.OfType<YamlScalarNode>().Select(s => (s.Value ?? "").Trim()).Where(s => s.Length > 0).ToArray(),
                    _ => [],
                }
                : [];
            rules.Add(new Rule(regex, recipients, node.Children.ContainsKey(new YamlScalarNode("key_groups"))));
        }
        return new SopsConfig(rules, displayName);
    }

    // the keys of a sops creation rule (sops cmd/sops/config: creationRule); this build encrypts every value with age
    private static readonly HashSet<string> RuleKeys = ["path_regex", "age", "key_groups"];
    private static readonly HashSet<string> OtherKeyTypes = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "shamir_threshold", "aws_profile"];
    private static readonly HashSet<string> PartialEncryption = ["encrypted_regex", "unencrypted_regex", "encrypted_suffix", "unencrypted_suffix",
        "encrypted_comment_regex", "unencrypted_comment_regex", "mac_only_encrypted"];

    private static string? Unsupported(string key) =>
        RuleKeys.Contains(key) ? null
        : OtherKeyTypes.Contains(key) ? $"'{key}' is not supported: this build encrypts with age only; list the recipients under age."
        : PartialEncryption.Contains(key) ? $"'{key}' is not supported: this build encrypts every value of a credentials file."
        : key == "filename_regex" ? "'filename_regex' is not supported: match the file with path_regex."
        : $"unknown key '{key}' in a creation rule (known: path_regex, age, key_groups).";

    /// <summary>The age recipients for a file path relative to the repository root (forward slashes).</summary>
    public IReadOnlyList<AgeRecipient> RecipientsFor(string relativePath)
    {
        var path = relativePath.Replace('\\', '/');
        var rule = Rules.FirstOrDefault(r => r.PathRegex == null || r.PathRegex.IsMatch(path))
                   ?? throw new BuildFailure($"{fileName} has no creation rule whose path_regex matches {path}: add one.");
        if (rule.HasKeyGroups)
            throw new BuildFailure($"{fileName}: the rule for {path} uses key_groups, which this build does not support; list the recipients under age.");
        if (rule.AgeRecipients.Count == 0)
            throw new BuildFailure($"{fileName}: the rule for {path} lists no age recipient. Add your public key (age-keygen -y <your keys.txt>) under age.");
        return rule.AgeRecipients.Select(AgeRecipient.Parse).ToList();
    }
}

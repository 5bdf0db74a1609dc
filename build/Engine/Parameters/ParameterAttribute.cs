namespace BuildEngine;

/// <summary>Marks a field or property bound from the command line, environment variables and parameter files.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public class ParameterAttribute(string? description = null) : Attribute
{
    public string? Description { get; } = description;

    /// <summary>Overrides the name derived from the member (the CLI form is its kebab-case).</summary>
    public string? Name { get; set; }
}

/// <summary>A parameter whose value is masked in every output and may never be stored in a parameter file.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>
/// The parameter whose value names the profile: with value <c>x</c>, <c>.nuke/parameters.x.json</c> is loaded over
/// <c>.nuke/parameters.json</c>. NUKE spells this <c>--profile x</c>; a build may give it a domain name such as <c>--env</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class SelectsProfileAttribute : Attribute;

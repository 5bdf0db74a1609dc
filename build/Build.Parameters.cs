using BuildEngine;

partial class Build
{
    [Parameter("Environment to operate on (loads .nuke/parameters.<env>.json)")]
    [SelectsProfile]
    readonly string? Env;

    [Parameter("Test filter (dotnet test --filter syntax), e.g. Category=Unit")]
    readonly string? Filter;
}

using BuildEngine;

partial class Build
{
    [Parameter("Environment to operate on (loads .nuke/parameters.<env>.json)")]
    [SelectsProfile]
    readonly string? Env;

    [Parameter("Credentials file for SopsEdit: common, or a path under credentials/", Name = "file")]
    readonly string? CredentialsFile;

    [Parameter("The common credentials file (SOPS dotenv)")]
    readonly string CommonCredentials = AccoReboot.Secrets.CredentialSchema.CommonFile;

    [Parameter("Test filter (dotnet test --filter syntax), e.g. Category=Unit")]
    readonly string? Filter;
}

using BuildEngine;

/// <summary>
/// The API image targets, as a build component: a member of class Build cannot be named Build (CS0542),
/// and NUKE finds targets declared on the build's interfaces.
/// </summary>
interface IContainerImage
{
    Target Build => _ => _
        .Description("Build the API image, tagged <registry>/<repository>:<git-sha>")
        .Executes(() => global::Build.NotImplementedYet("Build", 6));

    Target Push => _ => _
        .Description("Push the API image (skipped when the registry has that digest)")
        .DependsOn(Build)
        .Executes(() => global::Build.NotImplementedYet("Push", 6));
}

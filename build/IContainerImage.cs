using AccoReboot.Docker;
using BuildEngine;

/// <summary>
/// The API image targets, as a build component: a member of class Build cannot be named Build (CS0542),
/// and NUKE finds targets declared on the build's interfaces.
/// </summary>
interface IContainerImage
{
    ImagePublisher Images { get; }

    Target Build => _ => _
        .Description("Build the API image, tagged <registry>/<repository>:<git-sha> (and latest)")
        .Executes(() => Images.BuildAsync());

    Target Push => _ => _
        .Description("Push the API image (skipped when the registry has that image under that tag)")
        .DependsOn(Build)
        .Executes(() => Images.PushAsync());
}

using BuildEngine;

namespace AccoReboot.Infra.Resources;

/// <summary>A create failed without a clear answer and nothing of that name was found afterwards.</summary>
static class AdoptionFailure
{
    public static BuildFailure Of(Exception failure, string what) =>
        failure as BuildFailure is { } known
            ? new BuildFailure($"{known.Message} (and no {what} was found afterwards: nothing was created)", failure)
            : new BuildFailure($"Creating {what} failed: {failure.Message}", failure);
}

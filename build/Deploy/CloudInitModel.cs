namespace AccoReboot.Deploy;

/// <summary>The values templates/cloud-init.yaml is rendered with.</summary>
static class CloudInitModel
{
    public const string DeployUser = "deploy";
    public const string AppDirectory = "/opt/accoreboot";
    public const string MarkerFile = "/var/lib/cloud/instance/boot-finished-docker";

    public static IReadOnlyDictionary<string, object?> For(string environment, string sshPublicKey,
        string deployUser = DeployUser, string appDirectory = AppDirectory, string markerFile = MarkerFile) => new Dictionary<string, object?>
    {
        ["environment"] = environment,
        ["deploy_user"] = deployUser,
        ["ssh_public_key"] = sshPublicKey.Trim(),
        ["app_directory"] = appDirectory,
        ["marker_file"] = markerFile,
    };
}

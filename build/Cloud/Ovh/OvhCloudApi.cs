namespace AccoReboot.Cloud.Ovh;

/// <summary>The /cloud/project/{serviceName} calls this build makes, typed. Paths as in apispecs/ovh-cloud-subset.json.</summary>
sealed class OvhCloudApi(OvhClient client, string projectId)
{
    private string Project => $"cloud/project/{Uri.EscapeDataString(projectId)}";
    private string Clusters => $"{Project}/database/postgresql";
    private string Cluster(string id) => $"{Clusters}/{Uri.EscapeDataString(id)}";

    public Task<DbCapabilities> CapabilitiesAsync(CancellationToken ct) => client.GetAsync<DbCapabilities>($"{Project}/database/capabilities", ct);

    public Task<List<string>> ClusterIdsAsync(CancellationToken ct) => client.GetAsync<List<string>>(Clusters, ct);
    public Task<DbService> ClusterAsync(string id, CancellationToken ct) => client.GetAsync<DbService>(Cluster(id), ct);
    public Task<DbService> CreateClusterAsync(DbServiceCreation body, CancellationToken ct) => client.PostAsync<DbService>(Clusters, body, ct);
    public Task<DbService> UpdateClusterAsync(string id, DbServiceUpdate body, CancellationToken ct) => client.PutAsync<DbService>(Cluster(id), body, ct);
    public Task DeleteClusterAsync(string id, CancellationToken ct) => client.DeleteAsync(Cluster(id), ct);
    public Task<DbCertificates> CertificatesAsync(string id, CancellationToken ct) => client.GetAsync<DbCertificates>($"{Cluster(id)}/certificates", ct);

    public Task<List<string>> DatabaseIdsAsync(string cluster, CancellationToken ct) => client.GetAsync<List<string>>($"{Cluster(cluster)}/database", ct);
    public Task<DbDatabase> DatabaseAsync(string cluster, string id, CancellationToken ct) => client.GetAsync<DbDatabase>($"{Cluster(cluster)}/database/{Uri.EscapeDataString(id)}", ct);
    public Task<DbDatabase> CreateDatabaseAsync(string cluster, string name, CancellationToken ct) => client.PostAsync<DbDatabase>($"{Cluster(cluster)}/database", new DbDatabase(null, name), ct);
    public Task DeleteDatabaseAsync(string cluster, string id, CancellationToken ct) => client.DeleteAsync($"{Cluster(cluster)}/database/{Uri.EscapeDataString(id)}", ct);

    public Task<List<string>> UserIdsAsync(string cluster, CancellationToken ct) => client.GetAsync<List<string>>($"{Cluster(cluster)}/user", ct);
    public Task<DbUser> UserAsync(string cluster, string id, CancellationToken ct) => client.GetAsync<DbUser>($"{Cluster(cluster)}/user/{Uri.EscapeDataString(id)}", ct);
    public Task<DbUserWithPassword> CreateUserAsync(string cluster, DbUserCreation body, CancellationToken ct) => client.PostAsync<DbUserWithPassword>($"{Cluster(cluster)}/user", body, ct);
    public Task<DbUserWithPassword> ResetPasswordAsync(string cluster, string id, CancellationToken ct) => client.PostAsync<DbUserWithPassword>($"{Cluster(cluster)}/user/{Uri.EscapeDataString(id)}/credentials/reset", null, ct);
    public Task DeleteUserAsync(string cluster, string id, CancellationToken ct) => client.DeleteAsync($"{Cluster(cluster)}/user/{Uri.EscapeDataString(id)}", ct);

    public Task<StorageContainer> ContainerAsync(string region, string name, CancellationToken ct) =>
        client.GetAsync<StorageContainer>($"{Project}/region/{Uri.EscapeDataString(region)}/storage/{Uri.EscapeDataString(name)}", ct);
    public Task<StorageContainer> CreateContainerAsync(string region, StorageContainerCreation body, CancellationToken ct) =>
        client.PostAsync<StorageContainer>($"{Project}/region/{Uri.EscapeDataString(region)}/storage", body, ct);
    public Task DeleteContainerAsync(string region, string name, CancellationToken ct) =>
        client.DeleteAsync($"{Project}/region/{Uri.EscapeDataString(region)}/storage/{Uri.EscapeDataString(name)}", ct);
}

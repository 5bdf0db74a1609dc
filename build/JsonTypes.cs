using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AccoReboot.Backups;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Deploy;
using AccoReboot.Infra.Resources;
using AccoReboot.Sandbox;
using AccoReboot.State;

namespace AccoReboot;

/// <summary>
/// Every type the build reads or writes as JSON, with its (de)serialization compiled here rather than found by
/// reflection at run time: build.sh compiles the build ahead of time (native), where reflection cannot make the
/// generic code that value types need (a missing one throws "missing native code" at run time). A type serialized
/// with <see cref="Options"/> and not listed falls back to reflection, which serves only reference-typed members
/// there: list every new state slice, OVH body or answer here.
/// </summary>
// the OVH API: every answer and body
[JsonSerializable(typeof(DbCapabilities))]
[JsonSerializable(typeof(DbCertificates))]
[JsonSerializable(typeof(DbDatabase))]
[JsonSerializable(typeof(DbService))]
[JsonSerializable(typeof(DbServiceCreation))]
[JsonSerializable(typeof(DbServiceUpdate))]
[JsonSerializable(typeof(DbUser))]
[JsonSerializable(typeof(DbUserCreation))]
[JsonSerializable(typeof(DbUserWithPassword))]
[JsonSerializable(typeof(StorageContainer))]
[JsonSerializable(typeof(StorageContainerCreation))]
[JsonSerializable(typeof(DnsZone))]
[JsonSerializable(typeof(DnsRecord))]
[JsonSerializable(typeof(DnsRecordCreation))]
[JsonSerializable(typeof(DnsRecordUpdate))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(JsonElement?))]
// the state, its lock, and each resource's slice of it
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(StateLockInfo))]
[JsonSerializable(typeof(SecurityGroupState))]
[JsonSerializable(typeof(KeypairState))]
[JsonSerializable(typeof(InstanceState))]
[JsonSerializable(typeof(DbClusterState))]
[JsonSerializable(typeof(DatabaseState))]
[JsonSerializable(typeof(DbUserState))]
[JsonSerializable(typeof(DbIpRestrictionState))]
[JsonSerializable(typeof(DnsRecordState))]
// backups, the last contact's head start, the sandbox's request
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(LastContact))]
[JsonSerializable(typeof(SandboxRequest))]
sealed partial class JsonTypes : JsonSerializerContext
{
    /// <summary>The listed types' compiled contracts first, reflection for the rest.</summary>
    // made on first use, not by an initializer: the generated half of this class initializes Default, and the order
    // of two files' static initializers is not defined (Combine skips a null: every type went to reflection)
    public static IJsonTypeInfoResolver Resolver => s_resolver ??= JsonTypeInfoResolver.Combine(Default, new DefaultJsonTypeInfoResolver());

    private static IJsonTypeInfoResolver? s_resolver;

    /// <summary>Options with <paramref name="options"/>'s settings over the compiled contracts.</summary>
    public static JsonSerializerOptions Over(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = Resolver;
        return options;
    }

    /// <summary>JsonSerializer's defaults over the compiled contracts.</summary>
    public static JsonSerializerOptions Plain => s_plain ??= Over(new JsonSerializerOptions());

    private static JsonSerializerOptions? s_plain;
}

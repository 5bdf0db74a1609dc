using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
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
/// generic code that value types need, and build.sh leaves JSON reflection off there. There is no fallback to
/// reflection here either, so that the tests (which run the build's code with a JIT) fail as the native build would:
/// a type that is not listed throws "JsonTypeInfo metadata for type … was not provided". List every new state
/// slice, OVH body or answer here.
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
// the API's and PowerSync's answers and the bodies Smoke and the resilience checks send
[JsonSerializable(typeof(JsonObject))]
sealed partial class JsonTypes : JsonSerializerContext
{
    /// <summary>Options with <paramref name="options"/>'s settings over the compiled contracts.</summary>
    public static JsonSerializerOptions Over(JsonSerializerOptions options)
    {
        // Default is read when called, not by an initializer of this half of the class: the generated half initializes
        // it, and the order of two files' static initializers is not defined
        options.TypeInfoResolver = Default;
        return options;
    }

    /// <summary>JsonSerializer's defaults over the compiled contracts.</summary>
    public static JsonSerializerOptions Plain => s_plain ??= Over(new JsonSerializerOptions());

    private static JsonSerializerOptions? s_plain;
}

using System.Text.Json;
using AccoReboot;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Resources;
using AccoReboot.State;

namespace Tests.State;

/// <summary>
/// The build runs compiled ahead of time, where JSON reflection cannot make the code a value-typed member needs: what
/// it reads and writes must come from the compiled contracts of <see cref="JsonTypes"/>, not from reflection.
/// </summary>
[Trait("Category", "Unit")]
public class JsonTypesTests
{
    public static TheoryData<Type> StateTypes()
    {
        // the state, its lock and parts of it, and every resource's slice: a new resource whose slice is not listed
        // fails here. Through StateDocument.Json, not a reflection fallback: the generated half of JsonTypes must be
        // initialized before the options use it
        var data = new TheoryData<Type> { typeof(StateDocument), typeof(StateLockInfo), typeof(DeployKeysState), typeof(HostKeyState) };
        foreach (var type in typeof(Resource<,>).Assembly.GetTypes())
            for (var t = type.BaseType; t != null; t = t.BaseType)
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Resource<,>) && !type.IsAbstract)
                    data.Add(t.GetGenericArguments()[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(StateTypes))]
    public void The_state_its_lock_and_every_slice_have_a_compiled_contract(Type type)
    {
        Assert.Same(JsonTypes.Default, StateDocument.Json.GetTypeInfo(type).OriginatingResolver);
    }

    [Theory]
    [InlineData(typeof(DbService))]
    [InlineData(typeof(DbServiceCreation))]
    [InlineData(typeof(DbUserWithPassword))]
    [InlineData(typeof(DnsRecord))]
    [InlineData(typeof(List<string>))]
    public void The_OVH_answers_and_bodies_use_the_compiled_contracts(Type type)
    {
        Assert.Same(JsonTypes.Default, OvhClient.Json.GetTypeInfo(type).OriginatingResolver);
    }

    [Fact]
    public void A_state_with_value_typed_members_goes_through_the_compiled_contracts_and_back()
    {
        var at = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var document = new StateDocument { Environment = "test", Serial = 3, DeployKeys = new DeployKeysState("srv-1", ["SHA256:a"], at) }
            .WithSlice("dns", new DnsRecordState(42, "example.com", "api", "203.0.113.10", 60));
        var read = StateDocument.Parse(document.Serialize(), "test");
        Assert.Equal(at, read.DeployKeys!.At);
        Assert.Equal(42, read.Slice<DnsRecordState>("dns")!.Id);
        Assert.Contains("\"deployKeys\"", document.Serialize());
    }
}

using AccoReboot.Infra.Apply;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// One kind of cloud resource, Terraform-provider style: it compares the desired state with the live one (pure),
/// and knows how to create, update and delete itself. Adding a resource is adding one of these.
/// </summary>
interface IManagedResource
{
    string Kind { get; }
    string Name { get; }

    /// <summary>Addresses (kind.name) that must be applied first.</summary>
    IReadOnlyList<string> DependsOn { get; }

    ResourceChange Diff(LiveSnapshot live);

    Task ApplyAsync(ResourceChange change, ApplyContext context);

    /// <summary>What a destroy would do (Delete, or Keep for protected data, or NoOp when absent).</summary>
    ResourceChange DestroyChange(LiveSnapshot live, bool destroyData);

    Task DestroyAsync(ApplyContext context);
}

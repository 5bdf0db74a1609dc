using System.Reflection;

namespace BuildEngine;

/// <summary>One [Parameter] field or property of the build, with its names and how to read and write it.</summary>
public sealed class ParameterMember
{
    private ParameterMember(MemberInfo member, ParameterAttribute attribute)
    {
        Member = member;
        Name = attribute.Name ?? member.Name;
        Description = attribute.Description;
        IsSecret = member.IsDefined(typeof(SecretAttribute), inherit: false);
        SelectsProfile = member.IsDefined(typeof(SelectsProfileAttribute), inherit: false);
        Type = member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;
    }

    public MemberInfo Member { get; }
    public string Name { get; }
    public string? Description { get; }
    public bool IsSecret { get; }
    public bool SelectsProfile { get; }
    public Type Type { get; }

    public string CliName => "--" + NameStyle.Kebab(Name);
    public string EnvironmentVariable => "NUKE_" + NameStyle.UpperSnake(Name);
    public string Key => NameStyle.Normalize(Name);

    public object? GetValue(object build) => Member switch
    {
        FieldInfo field => field.GetValue(build),
        PropertyInfo property => property.GetValue(build),
        _ => null,
    };

    public void SetValue(object build, object? value)
    {
        switch (Member)
        {
            case FieldInfo field: field.SetValue(build, value); break;
            case PropertyInfo { CanWrite: true } property: property.SetValue(build, value); break;
            case PropertyInfo property:
                // get-only auto-property: write its backing field
                var backing = property.DeclaringType!.GetField($"<{property.Name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)
                              ?? throw new InvalidOperationException($"Parameter {property.Name} has no setter.");
                backing.SetValue(build, value);
                break;
        }
    }

    public static IReadOnlyList<ParameterMember> Of(Type buildType)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var members = new List<ParameterMember>();
        for (var type = buildType; type != null && type != typeof(object); type = type.BaseType)
        {
            // plain loops and IsDefined before the attribute is made: this runs at every start, over hundreds of
            // members, and LINQ over value tuples would be compiled by the JIT first (ReadyToRun cannot hold it)
            var declared = new List<MemberInfo>();
            foreach (var field in type.GetFields(flags))
                if (field.IsDefined(typeof(ParameterAttribute), inherit: false)) declared.Add(field);
            foreach (var property in type.GetProperties(flags))
                if (property.IsDefined(typeof(ParameterAttribute), inherit: false)) declared.Add(property);
            DeclarationOrder.Sort(declared);
            var own = new List<ParameterMember>(declared.Count);
            foreach (var member in declared) own.Add(new ParameterMember(member, member.GetCustomAttribute<ParameterAttribute>()!));
            members.InsertRange(0, own);
        }
        return members;
    }
}

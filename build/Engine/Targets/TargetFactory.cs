using System.Reflection;

namespace BuildEngine;

/// <summary>Finds the target properties of a build (its own and its components') and resolves their relations.</summary>
internal static class TargetFactory
{
    public static IReadOnlyList<ExecutableTarget> Create(object build)
    {
        var properties = TargetProperties(build.GetType());
        var targets = new List<ExecutableTarget>();
        // A property getter returns a new delegate each time, but always over the same compiled lambda,
        // so the lambda's method identifies the target wherever it is referenced.
        var byMethod = new Dictionary<MethodInfo, ExecutableTarget>();
        foreach (var property in properties)
        {
            var target = (Target)property.GetValue(build)!;
            var definition = new TargetDefinition(build);
            target(definition);
            var executable = new ExecutableTarget(property.Name, targets.Count, definition, property, target.Method);
            if (targets.Any(t => t.Name.Equals(property.Name, StringComparison.OrdinalIgnoreCase)))
                throw new BuildFailure($"Target '{property.Name}' is declared twice (in {property.DeclaringType?.Name}); rename one of them.");
            targets.Add(executable);
            byMethod[target.Method] = executable;
        }

        ExecutableTarget Find(Target target) =>
            byMethod.TryGetValue(target.Method, out var found)
                ? found
                : throw new InvalidOperationException($"A target reference does not point to a target property ({target.Method.Name}).");

        foreach (var target in targets)
        {
            var definition = target.Definition;
            foreach (var dependency in definition.DependsOnTargets) AddOnce(target.ExecutionDependencies, Find(dependency));
            foreach (var dependent in definition.DependentForTargets) AddOnce(Find(dependent).ExecutionDependencies, target);
            foreach (var before in definition.AfterTargets) AddOnce(target.OrderDependencies, Find(before));
            foreach (var after in definition.BeforeTargets) AddOnce(Find(after).OrderDependencies, target);
            foreach (var triggered in definition.TriggersTargets) Link(target, Find(triggered));
            foreach (var trigger in definition.TriggeredByTargets) Link(Find(trigger), target);
        }

        foreach (var target in targets)
            if (target.AllDependencies.Contains(target))
                throw new BuildFailure($"Target '{target.Name}' depends on itself.");
        return targets;
    }

    private static void Link(ExecutableTarget trigger, ExecutableTarget triggered)
    {
        AddOnce(trigger.Triggers, triggered);
        AddOnce(triggered.TriggerDependencies, trigger);
    }

    private static void AddOnce(List<ExecutableTarget> list, ExecutableTarget target)
    {
        if (!list.Contains(target)) list.Add(target);
    }

    /// <summary>Target properties in declaration order: the components' (interfaces) first, as the steps they provide come first, then the class's own.</summary>
    private static List<PropertyInfo> TargetProperties(Type type)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var own = new List<PropertyInfo>();
        // loops and List.Sort, not OrderBy with an int key: that instantiation is compiled by the JIT at every start
        List<PropertyInfo> TargetsOf(Type t, BindingFlags which)
        {
            var found = new List<PropertyInfo>();
            foreach (var property in t.GetProperties(which))
                if (property.PropertyType == typeof(Target)) found.Add(property);
            DeclarationOrder.Sort(found);
            return found;
        }
        for (var t = type; t != null && t != typeof(object); t = t.BaseType)
            own.InsertRange(0, TargetsOf(t, flags | BindingFlags.DeclaredOnly));
        var all = new List<PropertyInfo>();
        foreach (var component in type.GetInterfaces())
            foreach (var property in TargetsOf(component, flags))
                if (own.All(o => o.Name != property.Name)) all.Add(property);
        all.AddRange(own);
        return all;
    }
}

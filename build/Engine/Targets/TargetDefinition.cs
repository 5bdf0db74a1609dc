using System.Linq.Expressions;
using System.Reflection;

namespace BuildEngine;

/// <summary>Collects what one target property declares. Filled once per target when the build starts.</summary>
internal sealed class TargetDefinition(object build) : ITargetDefinition
{
    public string? DescriptionText { get; private set; }
    public bool IsUnlisted { get; private set; }
    public List<Func<CancellationToken, Task>> Actions { get; } = [];
    public List<Target> DependsOnTargets { get; } = [];
    public List<Target> DependentForTargets { get; } = [];
    public List<Target> AfterTargets { get; } = [];
    public List<Target> BeforeTargets { get; } = [];
    public List<Target> TriggersTargets { get; } = [];
    public List<Target> TriggeredByTargets { get; } = [];
    public List<Condition> StaticConditions { get; } = [];
    public List<Condition> DynamicConditions { get; } = [];
    public List<Requirement> Requirements { get; } = [];
    public DependencyBehavior SkipBehavior { get; private set; } = DependencyBehavior.Skip;
    public bool IsProceedAfterFailure { get; private set; }
    public bool IsAssuredAfterFailure { get; private set; }

    public ITargetDefinition Description(string description) { DescriptionText = description; return this; }
    public ITargetDefinition Unlisted() { IsUnlisted = true; return this; }

    public ITargetDefinition Executes(params Action[] actions)
    {
        foreach (var action in actions)
            Actions.Add(_ => { action(); return Task.CompletedTask; });
        return this;
    }

    public ITargetDefinition Executes(Func<Task> action) { Actions.Add(_ => action()); return this; }

    public ITargetDefinition DependsOn(params Target[] targets) { DependsOnTargets.AddRange(targets); return this; }
    public ITargetDefinition DependsOn<T>(params Func<T, Target>[] targets) => DependsOn(Resolve(targets));
    public ITargetDefinition DependentFor(params Target[] targets) { DependentForTargets.AddRange(targets); return this; }
    public ITargetDefinition After(params Target[] targets) { AfterTargets.AddRange(targets); return this; }
    public ITargetDefinition After<T>(params Func<T, Target>[] targets) => After(Resolve(targets));
    public ITargetDefinition Before(params Target[] targets) { BeforeTargets.AddRange(targets); return this; }
    public ITargetDefinition Before<T>(params Func<T, Target>[] targets) => Before(Resolve(targets));
    public ITargetDefinition Triggers(params Target[] targets) { TriggersTargets.AddRange(targets); return this; }
    public ITargetDefinition TriggeredBy(params Target[] targets) { TriggeredByTargets.AddRange(targets); return this; }

    public ITargetDefinition OnlyWhenStatic(Func<bool> condition, string? text = null)
    {
        StaticConditions.Add(new Condition(condition, text ?? "condition"));
        return this;
    }

    public ITargetDefinition OnlyWhenDynamic(Func<bool> condition, string? text = null)
    {
        DynamicConditions.Add(new Condition(condition, text ?? "condition"));
        return this;
    }

    public ITargetDefinition WhenSkipped(DependencyBehavior behavior) { SkipBehavior = behavior; return this; }

    public ITargetDefinition Requires<T>(params Expression<Func<T>>[] parameters)
    {
        foreach (var parameter in parameters)
        {
            // compiled when checked, for the targets of the plan only: compiling every target's expressions at start
            // cost tens of milliseconds of each run, --help included
            var getter = new Lazy<Func<T>>(() => parameter.Compile(preferInterpretation: true));
            Requirements.Add(new Requirement(
                () => getter.Value() is { } value && !(value is string s && string.IsNullOrWhiteSpace(s)),
                MemberOf(parameter.Body),
                new Lazy<string>(() => parameter.Body.ToString())));
        }
        return this;
    }

    public ITargetDefinition Requires(Expression<Func<bool>> condition)
    {
        var compiled = new Lazy<Func<bool>>(() => condition.Compile(preferInterpretation: true));
        Requirements.Add(new Requirement(() => compiled.Value(), null, new Lazy<string>(() => condition.Body.ToString())));
        return this;
    }

    public ITargetDefinition ProceedAfterFailure() { IsProceedAfterFailure = true; return this; }
    public ITargetDefinition AssuredAfterFailure() { IsAssuredAfterFailure = true; return this; }

    private Target[] Resolve<T>(Func<T, Target>[] selectors) =>
        build is T component
            ? selectors.Select(select => select(component)).ToArray()
            : throw new InvalidOperationException($"The build does not implement {typeof(T).Name}.");

    private static MemberInfo? MemberOf(Expression body) => body switch
    {
        MemberExpression member => member.Member,
        UnaryExpression { NodeType: ExpressionType.Convert } convert => MemberOf(convert.Operand),
        _ => null,
    };
}

/// <summary>A condition with the source text it was written as, shown as the skip reason.</summary>
internal sealed record Condition(Func<bool> Evaluate, string Text);

/// <summary>A requirement: a parameter that must have a value, or a condition that must hold.</summary>
internal sealed record Requirement(Func<bool> IsMet, MemberInfo? Parameter, Lazy<string> Description)
{
    public string Text => Description.Value;
}

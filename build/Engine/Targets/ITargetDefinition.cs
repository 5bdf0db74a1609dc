using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace BuildEngine;

/// <summary>What if skipped: whether a skipped target's dependencies still run.</summary>
public enum DependencyBehavior
{
    Skip,
    Execute,
}

/// <summary>The fluent definition a target property fills in (same shape as NUKE's ITargetDefinition).</summary>
public interface ITargetDefinition
{
    ITargetDefinition Description(string description);
    ITargetDefinition Unlisted();
    ITargetDefinition Executes(params Action[] actions);
    ITargetDefinition Executes(Func<Task> action);
    ITargetDefinition DependsOn(params Target[] targets);
    ITargetDefinition DependsOn<T>(params Func<T, Target>[] targets);
    ITargetDefinition DependentFor(params Target[] targets);
    ITargetDefinition After(params Target[] targets);
    ITargetDefinition After<T>(params Func<T, Target>[] targets);
    ITargetDefinition Before(params Target[] targets);
    ITargetDefinition Before<T>(params Func<T, Target>[] targets);
    ITargetDefinition Triggers(params Target[] targets);
    ITargetDefinition TriggeredBy(params Target[] targets);
    ITargetDefinition OnlyWhenStatic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);
    ITargetDefinition OnlyWhenDynamic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);
    ITargetDefinition WhenSkipped(DependencyBehavior behavior);

    /// <summary>Requires a parameter to have a value (not null, not empty) before anything runs.</summary>
    ITargetDefinition Requires<T>(params Expression<Func<T>>[] parameters);

    /// <summary>Requires a condition to hold before anything runs.</summary>
    ITargetDefinition Requires(Expression<Func<bool>> condition);

    ITargetDefinition ProceedAfterFailure();
    ITargetDefinition AssuredAfterFailure();
}

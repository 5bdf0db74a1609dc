using System.Reflection;

namespace BuildEngine;

/// <summary>A target of the build with its resolved relations and its state during one run.</summary>
public sealed class ExecutableTarget
{
    internal ExecutableTarget(string name, int index, TargetDefinition definition, PropertyInfo property, MethodInfo? lambda = null)
    {
        Name = name;
        Index = index;
        Definition = definition;
        Property = property;
        Lambda = lambda;
    }

    /// <summary>The compiled lambda the target property returns: what identifies the target in a reference to it.</summary>
    internal MethodInfo? Lambda { get; }

    public string Name { get; }

    /// <summary>Declaration order: ties in the plan go to the target declared first.</summary>
    public int Index { get; }

    internal TargetDefinition Definition { get; }
    internal PropertyInfo Property { get; }

    public string? Description => Definition.DescriptionText;
    public bool IsListed => !Definition.IsUnlisted;
    public bool IsCollective => Definition.Actions.Count == 0;
    public bool IsAssuredAfterFailure => Definition.IsAssuredAfterFailure;
    public bool IsProceedAfterFailure => Definition.IsProceedAfterFailure;

    /// <summary>Targets that must run before this one, and are pulled into the plan by it.</summary>
    public List<ExecutableTarget> ExecutionDependencies { get; } = [];

    /// <summary>Targets this one runs after when both are planned (After, and the reverse of Before).</summary>
    public List<ExecutableTarget> OrderDependencies { get; } = [];

    /// <summary>Targets that, when planned, pull this one in to run after them.</summary>
    public List<ExecutableTarget> TriggerDependencies { get; } = [];

    /// <summary>Targets this one pulls in after itself.</summary>
    public List<ExecutableTarget> Triggers { get; } = [];

    public IEnumerable<ExecutableTarget> AllDependencies =>
        ExecutionDependencies.Concat(OrderDependencies).Concat(TriggerDependencies);

    public ExecutionStatus Status { get; internal set; }
    public TimeSpan Duration { get; internal set; }
    public string? SkipReason { get; internal set; }
    public bool IsInvoked { get; internal set; }

    public override string ToString() => Name;
}

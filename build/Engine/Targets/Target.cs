namespace BuildEngine;

/// <summary>A target, declared as a property: <c>Target Compile => _ => _.DependsOn(Restore).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition _);

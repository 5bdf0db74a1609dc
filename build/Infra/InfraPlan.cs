namespace AccoReboot.Infra;

enum ChangeAction
{
    NoOp,
    Create,
    Update,
    Replace,
    Delete,
    /// <summary>Kept although a destroy was asked (a protected environment's database).</summary>
    Keep,
}

/// <summary>One attribute that changes; a value not known before the apply is shown as such.</summary>
sealed record AttributeChange(string Name, string? Before, string? After, bool ForcesReplacement = false)
{
    public const string KnownAfterApply = "(known after apply)";
}

/// <summary>What happens to one resource.</summary>
sealed record ResourceChange(string Kind, string Name, ChangeAction Action, IReadOnlyList<AttributeChange> Attributes, string? Note = null)
{
    public string Address => $"{Kind}.{Name}";
    public bool IsChange => Action is not (ChangeAction.NoOp or ChangeAction.Keep);

    public static ResourceChange None(string kind, string name, string? note = null) => new(kind, name, ChangeAction.NoOp, [], note);
}

/// <summary>The changes of an environment, in dependency order.</summary>
sealed record InfraPlan(string Environment, IReadOnlyList<ResourceChange> Changes, bool IsDestroy = false)
{
    public bool HasChanges => Changes.Any(c => c.IsChange);

    public int Count(ChangeAction action) => Changes.Count(c => c.Action == action);

    public string Summary =>
        $"Plan: {Count(ChangeAction.Create)} to add, {Count(ChangeAction.Update)} to change, {Count(ChangeAction.Replace)} to replace, {Count(ChangeAction.Delete)} to destroy.";

    public bool IsDestructive => Changes.Any(c => c.Action is ChangeAction.Replace or ChangeAction.Delete);
}

namespace BuildEngine;

/// <summary>
/// Turns the invoked targets into an ordered plan: the invoked targets, their execution dependencies and
/// whatever they trigger, in an order honouring every relation, ties broken by declaration order.
/// </summary>
public static class ExecutionPlanner
{
    public static IReadOnlyList<ExecutableTarget> Plan(IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<ExecutableTarget> invoked)
    {
        ThrowOnCycle(targets);

        var scheduled = new HashSet<ExecutableTarget>();
        var pending = new Stack<ExecutableTarget>(invoked);
        while (pending.Count > 0)
        {
            var target = pending.Pop();
            if (!scheduled.Add(target)) continue;
            foreach (var next in target.ExecutionDependencies.Concat(target.Triggers)) pending.Push(next);
        }

        // Kahn's algorithm over the planned targets; among the ready ones the first declared goes first.
        var plan = new List<ExecutableTarget>();
        var remaining = scheduled.OrderBy(t => t.Index).ToList();
        while (remaining.Count > 0)
        {
            var next = remaining.First(t => !t.AllDependencies.Any(remaining.Contains));
            plan.Add(next);
            remaining.Remove(next);
        }
        return plan;
    }

    /// <summary>Resolves target names as typed (case-insensitive, dashes ignored), or says which exist.</summary>
    public static ExecutableTarget Find(IReadOnlyList<ExecutableTarget> targets, string name)
    {
        var wanted = Normalize(name);
        return targets.FirstOrDefault(t => Normalize(t.Name) == wanted)
               ?? throw new BuildFailure(
                   $"Target '{name}' does not exist. Available targets: {string.Join(", ", targets.Where(t => t.IsListed).Select(t => t.Name).Order())}.");
    }

    private static string Normalize(string name) => name.Replace("-", "").ToLowerInvariant();

    private static void ThrowOnCycle(IReadOnlyList<ExecutableTarget> targets)
    {
        var state = new Dictionary<ExecutableTarget, int>(); // 1 = on the path, 2 = done
        var path = new List<ExecutableTarget>();

        void Visit(ExecutableTarget target)
        {
            state[target] = 1;
            path.Add(target);
            foreach (var dependency in target.AllDependencies.OrderBy(t => t.Index))
            {
                if (state.GetValueOrDefault(dependency) == 1)
                {
                    var cycle = path.Skip(path.IndexOf(dependency)).Append(dependency).Reverse().Select(t => t.Name);
                    throw new BuildFailure($"Circular dependency between targets: {string.Join(" -> ", cycle)}.");
                }
                if (state.GetValueOrDefault(dependency) == 0) Visit(dependency);
            }
            path.RemoveAt(path.Count - 1);
            state[target] = 2;
        }

        foreach (var target in targets)
            if (state.GetValueOrDefault(target) == 0)
                Visit(target);
    }
}

using System.Reflection;

namespace BuildEngine;

/// <summary>Members in the order their class declares them (targets run and parameters list in that order).</summary>
static class DeclarationOrder
{
    /// <summary>
    /// Sorts by metadata token, which follows the source's order, when the runtime has tokens. A native (ahead of
    /// time compiled) build has none (its MetadataToken throws), and its reflection already returns each kind of
    /// member in declaration order: the list is kept as it came.
    /// </summary>
    public static void Sort<T>(List<T> members) where T : MemberInfo
    {
        foreach (var member in members)
            if (!member.HasMetadataToken()) return;
        members.Sort((a, b) => a.MetadataToken.CompareTo(b.MetadataToken));
    }
}

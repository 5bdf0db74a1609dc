using System.Text;

namespace BuildEngine;

/// <summary>The spellings of a parameter name: DbPlan, --db-plan, NUKE_DB_PLAN, and the form they are matched by.</summary>
public static class NameStyle
{
    public static string Kebab(string name) => string.Join('-', Words(name)).ToLowerInvariant();

    public static string UpperSnake(string name) => string.Join('_', Words(name)).ToUpperInvariant();

    /// <summary>Names match ignoring case, dashes and underscores: --db-plan, -DbPlan and --dbplan are one parameter.</summary>
    public static string Normalize(string name) => name.Replace("-", "").Replace("_", "").ToLowerInvariant();

    private static IEnumerable<string> Words(string name)
    {
        var word = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '-' or '_' or ' ')
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                continue;
            }
            var startsWord = char.IsUpper(c) && word.Length > 0 &&
                             (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) ||
                              (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (startsWord) { yield return word.ToString(); word.Clear(); }
            word.Append(c);
        }
        if (word.Length > 0) yield return word.ToString();
    }
}

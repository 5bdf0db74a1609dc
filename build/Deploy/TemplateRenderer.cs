using BuildEngine;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace AccoReboot.Deploy;

/// <summary>
/// Renders the Scriban templates of templates/ in strict mode: a variable the model does not define is an error
/// naming the file, line and variable, never an empty string in a config file.
/// </summary>
sealed class TemplateRenderer(string templateDirectory)
{
    public string Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        var path = Path.Combine(templateDirectory, name);
        var display = Path.Combine("templates", name);
        if (!File.Exists(path)) throw new BuildFailure($"{display} is missing.");
        var template = Template.Parse(File.ReadAllText(path), display);
        if (template.HasErrors)
            throw new BuildFailure($"{display}: {string.Join("; ", template.Messages.Select(m => $"{m.Span.Start.Line + 1}:{m.Span.Start.Column + 1}: {m.Message}"))}");
        var globals = new ScriptObject();
        foreach (var (key, value) in model) globals[key] = value;
        var context = new TemplateContext
        {
            StrictVariables = true, EnableRelaxedMemberAccess = false, MemberRenamer = member => member.Name, LoopLimit = 10_000,
            // strict for members too: a typo in acme.emial is an error naming the member, never an empty value
            TryGetMember = (_, span, target, member, out value) =>
                throw new ScriptRuntimeException(span, $"'{member}' is not a member of this {Describe(target)} (it has: {string.Join(", ", MembersOf(target))})"),
        };
        context.PushGlobal(globals);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new BuildFailure($"{display}:{e.Span.Start.Line + 1}:{e.Span.Start.Column + 1}: {e.OriginalMessage}");
        }
    }

    private static string Describe(object target) => target switch
    {
        ScriptObject or System.Collections.IDictionary => "object",
        _ => target.GetType().Name,
    };

    private static IEnumerable<string> MembersOf(object target) => target switch
    {
        ScriptObject script => script.Keys.Order(),
        System.Collections.IDictionary dictionary => dictionary.Keys.Cast<object>().Select(k => k.ToString() ?? "").Order(),
        _ => target.GetType().GetProperties().Select(p => p.Name).Order(),
    };
}

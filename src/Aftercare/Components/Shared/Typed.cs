using Aftercare.Domain;

namespace Aftercare.Components.Shared;

/// <summary>
/// What was typed into a refused form, to show it again: a refusal changes nothing, and that
/// includes what the person typed (found walking the therapist's day, issue 11: a course refused for
/// want of a reason came back with every field empty).
/// </summary>
public static class Typed
{
    /// <summary>The posted value of a field when this form was refused; otherwise null.</summary>
    public static string? Value(HttpContext context, IReadOnlyList<Error> refusal, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Count > 0 && HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            ? context.Request.Form[name].ToString()
            : null;
    }

    /// <summary>Whether a refused form had this option chosen (a select's option, a radio, a checkbox).</summary>
    public static bool Chosen(HttpContext context, IReadOnlyList<Error> refusal, string name, string value) =>
        Value(context, refusal, name) is { } posted && posted.Split(',').Contains(value, StringComparer.Ordinal);
}

using Aftercare.Domain;

namespace Aftercare.Hosting;

public static class ErrorFields
{
    /// <summary>Field errors as ProblemDetails "errors": field name to messages.</summary>
    public static Dictionary<string, string[]> ToDictionary(this IEnumerable<Error> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}

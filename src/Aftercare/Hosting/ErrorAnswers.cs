using Aftercare.App.Documents;
using Aftercare.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aftercare.Hosting;

/// <summary>
/// The one place that turns an error's kind into an answer, for pages and for JSON (the FHIR edge is
/// <see cref="Fhir.Outcomes.From"/>). Modelled on medplum's <c>getStatus</c> and fhir-server's exception
/// filter: use cases say what went wrong, the edge says how that is answered.
/// </summary>
public static class ErrorAnswers
{
    /// <summary>The status of a page or JSON answer for a kind of error.</summary>
    public static int StatusFor(ErrorKind kind, bool json = false) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Stale => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Refused => StatusCodes.Status422UnprocessableEntity,
        // A form a person can correct: the page is shown again with the errors; JSON follows ASP.NET's
        // ValidationProblem (400).
        _ => json ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>Sets the status of a page that shows these errors itself (see <see cref="PageStatus.Status"/>).</summary>
    public static void Status(this HttpContext context, IEnumerable<Error> errors) =>
        context.Status(StatusFor(errors.Decisive()));

    /// <summary>
    /// What saving a clinical document came to, as errors: a stale edit is <see cref="ErrorKind.Stale"/> (409, its
    /// message on the "version" notice), a document that is not there <see cref="ErrorKind.NotFound"/>; none when saved.
    /// </summary>
    public static IReadOnlyList<Error> Errors<TContent>(this SaveOutcome<TContent> outcome, string missing)
        where TContent : class => outcome switch
        {
            Stale<TContent> s => [Error.Stale(s.Edit.Message)],
            Invalid<TContent> invalid => invalid.Errors,
            Missing<TContent> => [Error.NotFound("", missing)],
            _ => [],
        };

    /// <summary>Errors as ProblemDetails: field errors as a ValidationProblem, the other kinds with their status.</summary>
    public static ProblemHttpResult Problem(IReadOnlyList<Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var kind = errors.Decisive();
        var status = StatusFor(kind, json: true);
        var fields = errors.Where(e => e.Field.Length > 0).ToList();
        return TypedResults.Problem(
            statusCode: status,
            title: kind switch
            {
                ErrorKind.Invalid => "Some details need correcting.",
                ErrorKind.NotFound => "Not found.",
                ErrorKind.Stale => "Someone changed this first.",
                ErrorKind.Forbidden => "Not allowed.",
                _ => "Not possible now.",
            },
            detail: string.Join(" ", errors.Where(e => e.Kind == kind).Select(e => e.Message)),
            extensions: fields.Count == 0 ? null : new Dictionary<string, object?> { ["errors"] = fields.ToDictionary() });
    }
}

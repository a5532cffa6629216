using Aftercare.Domain;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>One mapping from failures to OperationOutcome with the right status (microsoft/fhir-server's shape).</summary>
public static class Outcomes
{
    public static IResult Fail(int status, OperationOutcome.IssueType type, string message, string? expression = null) =>
        FhirJson.Ok(Outcome([(type, message, expression)]), status);

    public static IResult Invalid(IEnumerable<Error> errors, int status = StatusCodes.Status422UnprocessableEntity) =>
        FhirJson.Ok(Outcome([.. errors.Select(e => (OperationOutcome.IssueType.Invalid, e.Message, string.IsNullOrEmpty(e.Field) ? null : e.Field))]), status);

    /// <summary>
    /// Errors of a use case as an OperationOutcome: the status and issue code follow the decisive kind
    /// (invalid 422 "invalid", refused by a rule 422 "business-rule", not found 404, stale 409 "conflict",
    /// forbidden 403), every error an issue with its field as the expression.
    /// </summary>
    public static IResult From(IReadOnlyList<Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var status = errors.Decisive() switch
        {
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Stale => StatusCodes.Status409Conflict,
            ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        return FhirJson.Ok(Outcome([.. errors.Select(e => (IssueType(e.Kind), e.Message, string.IsNullOrEmpty(e.Field) ? null : e.Field))]), status);
    }

    public static OperationOutcome.IssueType IssueType(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => OperationOutcome.IssueType.NotFound,
        ErrorKind.Stale => OperationOutcome.IssueType.Conflict,
        ErrorKind.Forbidden => OperationOutcome.IssueType.Forbidden,
        ErrorKind.Refused => OperationOutcome.IssueType.BusinessRule,
        _ => OperationOutcome.IssueType.Invalid,
    };

    public static IResult NotFound(string type, string id) =>
        Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"{type}/{id} was not found.");

    public static OperationOutcome Outcome(IEnumerable<(OperationOutcome.IssueType Type, string Message, string? Expression)> issues)
    {
        var outcome = new OperationOutcome();
        foreach (var (type, message, expression) in issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = type,
                Diagnostics = message,
                Expression = expression is null ? [] : [expression],
            });
        }

        return outcome;
    }
}

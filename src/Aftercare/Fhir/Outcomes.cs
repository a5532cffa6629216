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

using Aftercare.Domain;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>One mapping from failures to OperationOutcome with the right status (microsoft/fhir-server's shape).</summary>
public static class Outcomes
{
    /// <summary>
    /// The one place a status number is chosen for a protocol error (what the request asked of
    /// FHIR, rather than what a use case said). Handlers answer with the named outcomes below.
    /// </summary>
    public static IResult Fail(int status, OperationOutcome.IssueType type, string message, string? expression = null) =>
        FhirJson.Ok(Outcome([(type, message, expression)]), status);

    /// <summary>400 not-supported: a parameter value, system or sort this server does not take.</summary>
    public static IResult NotSupported(string message, string? parameter = null) =>
        Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, message, parameter);

    /// <summary>400 required: a search that must name something (a patient, an identifier).</summary>
    public static IResult Required(string message, string parameter) =>
        Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, message, parameter);

    /// <summary>400 value: a parameter whose value cannot be read (a date, a reference).</summary>
    public static IResult BadValue(string message, string parameter) =>
        Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Value, message, parameter);

    /// <summary>400 invalid: a body that is not what the interaction takes.</summary>
    public static IResult BadRequest(string message) =>
        Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, message);

    /// <summary>400 invalid: a body that is not FHIR JSON at all, each reason an issue.</summary>
    public static IResult Unreadable(IEnumerable<Error> errors) => Invalid(errors, StatusCodes.Status400BadRequest);

    /// <summary>405 not-supported: an interaction this server does not offer for this resource.</summary>
    public static IResult NotAllowed(string message) =>
        Fail(StatusCodes.Status405MethodNotAllowed, OperationOutcome.IssueType.NotSupported, message);

    /// <summary>404 not-supported: an operation, a type or an interaction this server does not have at all.</summary>
    public static IResult NotServed(string message) =>
        Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotSupported, message);

    /// <summary>404 not-supported: a resource type this server does not serve.</summary>
    public static IResult UnknownType(string type) =>
        NotServed($"{type} is not a resource type this server serves. /fhir/metadata lists the ones it does.");

    /// <summary>406 not-supported: an answer asked for in a format other than FHIR JSON.</summary>
    public static IResult NotAcceptable(string message) =>
        Fail(StatusCodes.Status406NotAcceptable, OperationOutcome.IssueType.NotSupported, message);

    /// <summary>415 not-supported: a body sent in a format other than FHIR JSON.</summary>
    public static IResult UnsupportedMediaType(string message) =>
        Fail(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, message);

    /// <summary>500 exception: a fault on this side, named by a reference only (never the exception's text).</summary>
    public static IResult Unexpected(string reference) =>
        Fail(StatusCodes.Status500InternalServerError, OperationOutcome.IssueType.Exception,
            $"Something went wrong on our side. Reference {reference}. Nothing was changed by this request unless it said otherwise.");

    /// <summary>409 conflict: the request would create what already exists.</summary>
    public static IResult Conflict(string message) =>
        Fail(StatusCodes.Status409Conflict, OperationOutcome.IssueType.Conflict, message);

    /// <summary>412 conflict: If-Match is missing or names a version that is not the current one.</summary>
    public static IResult PreconditionFailed(string message) =>
        Fail(StatusCodes.Status412PreconditionFailed, OperationOutcome.IssueType.Conflict, message);

    /// <summary>413 too-costly: more than the server takes in one request.</summary>
    public static IResult TooLarge(string message) =>
        Fail(StatusCodes.Status413PayloadTooLarge, OperationOutcome.IssueType.TooCostly, message);

    /// <summary>401 login: no valid credentials.</summary>
    public static IResult Unauthenticated(string message) =>
        Fail(StatusCodes.Status401Unauthorized, OperationOutcome.IssueType.Login, message);

    /// <summary>403 forbidden: the caller's role or scopes do not allow this.</summary>
    public static IResult Forbidden(string message) => From([Error.Forbidden(message)]);

    /// <summary>422 business-rule: refused by a clinical rule, whoever asks.</summary>
    public static IResult Refused(string message, string field = "") => From([Error.Refused(message, field)]);

    private static IResult Invalid(IEnumerable<Error> errors, int status) =>
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

    /// <summary>
    /// The longest diagnostics an issue carries: a parser's message can quote what was sent, and an
    /// answer never echoes a body back (a 6 MiB value once came back as a 6 MB OperationOutcome).
    /// </summary>
    public const int MaxDiagnostics = 500;

    public static OperationOutcome Outcome(IEnumerable<(OperationOutcome.IssueType Type, string Message, string? Expression)> issues)
    {
        var outcome = new OperationOutcome();
        foreach (var (type, message, expression) in issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = type,
                Diagnostics = message.Length <= MaxDiagnostics ? message : message[..MaxDiagnostics] + "…",
                Expression = expression is null ? [] : [expression.Length <= MaxDiagnostics ? expression : expression[..MaxDiagnostics]],
            });
        }

        return outcome;
    }
}

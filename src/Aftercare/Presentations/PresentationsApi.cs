using Aftercare.Access;
using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain.Access;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aftercare.Presentations;

public static class PresentationsApi
{
    public sealed record NewPersonRequest(
        string? GivenName, string? FamilyName, DateOnly? DateOfBirth, Sex Sex, string? Phone, string? Email,
        ContactChannel PreferredChannel, string? GpPractice, PriorPsychiatricHistory PriorPsychiatricHistory,
        string? Mrn, string? NhsNumber, string? GpPracticeCode = null);

    public sealed record RegisterRequest(
        Guid? PersonId, NewPersonRequest? NewPerson, DateTimeOffset? ArrivedAt, Guid? SiteId,
        IReadOnlyList<SelfHarmMethod>? Methods, YesNoUnknown AlcoholInvolved, YesNoUnknown MedicalTreatmentNeeded,
        string? MedicalTreatmentNotes, Disposition Disposition, DateTimeOffset? PsychosocialAssessmentAt,
        BreakGlassReason? JoinReason = null, string? JoinJustification = null);

    public sealed record RegisteredResponse(Guid PersonId, Guid PresentationId);

    public static IEndpointRouteBuilder MapPresentationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/presentations", Register).RequireAuthorization(Policies.RegisterPresentations).WithMetadata(new NoRecordAttribute());
        return app;
    }

    public static async Task<Results<Created<RegisteredResponse>, ProblemHttpResult, Conflict<ProblemDetailsWithPerson>>> Register(
        RegisterRequest request, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await RegisterPresentation.Handle(db, clock, context.User.ToActor(), ToCommand(request), ct);
        return outcome switch
        {
            RegisterPresentation.Registered r => TypedResults.Created($"/api/people/{r.PersonId}", new RegisteredResponse(r.PersonId, r.PresentationId)),
            RegisterPresentation.IdentifierBelongsToSomeone held => TypedResults.Conflict(new ProblemDetailsWithPerson(
                "That identifier belongs to someone already.", held.Message, StatusCodes.Status409Conflict, held.PersonId)),
            RegisterPresentation.Invalid invalid => ErrorAnswers.Problem(invalid.Errors),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    /// <summary>A 409 that names the person who holds the identifier, so the client can confirm and retry with their id.</summary>
    public sealed record ProblemDetailsWithPerson(string Title, string Detail, int Status, Guid ExistingPersonId);

    public static RegisterPresentation.Command ToCommand(RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var newPerson = request.NewPerson is { } n
            ? new RegisterPresentation.NewPerson(
                new PersonDetails(n.GivenName, n.FamilyName, n.DateOfBirth, n.Sex, n.Phone, n.Email, n.PreferredChannel, n.GpPractice, n.PriorPsychiatricHistory, n.GpPracticeCode),
                n.Mrn, n.NhsNumber)
            : null;
        return new RegisterPresentation.Command(request.PersonId, newPerson, new PresentationDetails(
            request.ArrivedAt, request.SiteId, request.Methods ?? [], request.AlcoholInvolved, request.MedicalTreatmentNeeded,
            request.MedicalTreatmentNotes, request.Disposition, request.PsychosocialAssessmentAt),
            request.JoinReason is null && request.JoinJustification is null ? null : new RegisterPresentation.JoinCare(request.JoinReason, request.JoinJustification));
    }
}

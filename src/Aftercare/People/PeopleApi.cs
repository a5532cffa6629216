using Aftercare.Access;
using Aftercare.App.Access;
using Aftercare.App.Data;
using Aftercare.App.People;
using Aftercare.Domain;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aftercare.People;

public static class PeopleApi
{
    public sealed record SearchRequest(IdentifierKind IdentifierKind, string? Identifier, string? Name, DateOnly? DateOfBirth);

    public sealed record PresentationView(
        Guid Id, DateTimeOffset ArrivedAt, string Site, IReadOnlyList<string> Methods, string Disposition,
        DateTimeOffset? PsychosocialAssessmentAt, int Number, bool CameBack, string Heading);

    public sealed record PersonView(
        Guid Id, string GivenName, string FamilyName, DateOnly DateOfBirth, Sex Sex, string? Phone, string? Email,
        ContactChannel PreferredChannel, string? GpPractice, PriorPsychiatricHistory PriorPsychiatricHistory,
        IReadOnlyDictionary<string, string> Identifiers, string Summary, IReadOnlyList<PresentationView> Timeline, string? GpPracticeCode);

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var people = app.MapGroup("/api/people").RequireAuthorization(Policies.DirectCare);
        // Search is a POST: names and dates of birth never travel in a URL.
        people.MapPost("/search", Search).WithMetadata(new NoRecordAttribute());
        people.MapGet("/{id:guid}", Get).WithMetadata(new RecordOfAttribute(RecordKind.Person, "id"));
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<FindPeople.Match>>, ProblemHttpResult>> Search(
        SearchRequest request, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var result = await FindPeople.Handle(db, clock, context.User.ToActor(),
            new FindPeople.Query(request.IdentifierKind, request.Identifier, request.Name, request.DateOfBirth), ct);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : ErrorAnswers.Problem(result.Errors);
    }

    public static async Task<Results<Ok<PersonView>, ProblemHttpResult>> Get(
        Guid id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var record = await GetPersonRecord.Handle(db, clock, context.User.ToActor(), id, ct);
        if (record is null)
        {
            return ErrorAnswers.Problem([Error.NotFound("id", "There is no record of a person with that id that you may see.")]);
        }

        var p = record.Person;
        return TypedResults.Ok(new PersonView(
            p.Id, p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex, p.Phone, p.Email, p.PreferredChannel, p.GpPractice,
            p.PriorPsychiatricHistory,
            p.Identifiers.ToDictionary(i => i.Kind.ToString(), i => i.Value),
            record.Timeline.Summary,
            [.. record.Timeline.Presentations.Select(t => new PresentationView(
                t.Presentation.Id, t.Presentation.ArrivedAt, record.SiteNames.GetValueOrDefault(t.Presentation.SiteId, ""),
                [.. t.Presentation.Methods.Select(m => m.Label())], t.Presentation.Disposition.Describe(),
                t.Presentation.PsychosocialAssessmentAt, t.Number, t.CameBack, t.Heading))], p.GpPracticeCode));
    }
}

using Aftercare.Access;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aftercare.Audit;

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        // Only ids and staff emails are in these parameters: no patient data in the URL.
        app.MapGet("/api/audit", Search).RequireAuthorization(Policies.ReadAudit).WithMetadata(new NoRecordAttribute());
        return app;
    }

    public static async Task<Results<Ok<SearchAudit.Page>, ProblemHttpResult>> Search(
        HttpContext context, AftercareDbContext db, TimeProvider clock, LocalTime time, CancellationToken ct,
        string? actor = null, Guid? personId = null, AuditAction? action = null, DateOnly? from = null, DateOnly? to = null)
    {
        var result = await SearchAudit.Handle(db, clock, context.User.ToActor(), new SearchAudit.Query(actor, personId, action, from, to), ct, time);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : ErrorAnswers.Problem(result.Errors);
    }
}

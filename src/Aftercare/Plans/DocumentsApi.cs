using Aftercare.Access;
using Aftercare.App;
using Aftercare.App.Access;
using Aftercare.App.Data;
using Aftercare.App.Plans;
using Aftercare.App.Sharing;
using Aftercare.App.Sites;
using Aftercare.Documents;
using Aftercare.Domain;
using Aftercare.Hosting;
using Aftercare.Sharing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aftercare.Plans;

/// <summary>PDF downloads of the person's safety plan and of a letter to the GP.</summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        app.MapGet("/people/{personId:guid}/safety-plan/pdf", SafetyPlanPdf).RequireAuthorization(Policies.DirectCare).WithMetadata(new RecordOfAttribute(RecordKind.Person, "personId"));
        app.MapGet("/shares/{shareId:guid}/pdf", LetterPdf).RequireAuthorization(Policies.DirectCare).WithMetadata(new RecordOfAttribute(RecordKind.Share, "shareId"));
        return app;
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SafetyPlanPdf(
        Guid personId, HttpContext context, AftercareDbContext db, TimeProvider clock, LocalTime time, AftercareOptions options, SiteTeams teams, PdfRenderer pdf, CancellationToken ct)
    {
        if (!pdf.Available)
        {
            return NoChromium();
        }

        var bytes = await PrintSafetyPlan.Handle(db, clock, context.User.ToActor(), personId, async view => await pdf.RenderAsync<SafetyPlanDocument>("Safety plan", new Dictionary<string, object?>
        {
            [nameof(SafetyPlanDocument.GivenName)] = view.Person.GivenName,
            [nameof(SafetyPlanDocument.Content)] = view.Plan!.Content,
            [nameof(SafetyPlanDocument.Updated)] = time.FormatDate(view.Plan.UpdatedAt),
            [nameof(SafetyPlanDocument.CrisisLines)] = options.CrisisLines,
            [nameof(SafetyPlanDocument.Team)] = await teams.ForPersonAsync(db, personId, null, ct),
        }, ct), ct);
        if (bytes is null)
        {
            return NotFound("This person has no safety plan to print.");
        }

        // The file name carries no name or identifier: it may be saved on a shared computer.
        return TypedResults.File(bytes, "application/pdf", "safety-plan.pdf");
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> LetterPdf(
        Guid shareId, HttpContext context, AftercareDbContext db, TimeProvider clock, LocalTime time, SiteTeams teams, PdfRenderer pdf, CancellationToken ct)
    {
        if (!pdf.Available)
        {
            return NoChromium();
        }

        var letter = await GetShare.Handle(db, clock, context.User.ToActor(), teams, shareId, ct);
        if (letter is null)
        {
            return NotFound("There is no letter with that id that you may see.");
        }

        var bytes = await pdf.RenderAsync<GpLetterDocument>("Letter to the GP", new Dictionary<string, object?>
        {
            [nameof(GpLetterDocument.Person)] = letter.Person,
            [nameof(GpLetterDocument.Recipient)] = letter.Share.Recipient,
            [nameof(GpLetterDocument.Date)] = time.FormatDate(letter.Share.SharedAt),
            [nameof(GpLetterDocument.ConsentBasis)] = letter.Share.ConsentBasis,
            [nameof(GpLetterDocument.SignedBy)] = letter.SignedBy,
            [nameof(GpLetterDocument.SignerRole)] = letter.SignerRole,
            [nameof(GpLetterDocument.Team)] = letter.Team,
            [nameof(GpLetterDocument.CarePlan)] = letter.CarePlan,
            [nameof(GpLetterDocument.SafetyPlan)] = letter.SafetyPlan,
        }, ct);
        return TypedResults.File(bytes, "application/pdf", "letter-to-gp.pdf");
    }

    private static ProblemHttpResult NotFound(string message) => ErrorAnswers.Problem([Error.NotFound("", message)]);

    private static ProblemHttpResult NoChromium() => TypedResults.Problem(
        title: "PDFs need Chromium on the server.",
        detail: "Install Debian's chromium (apt-get install chromium) or set Aftercare:ChromiumPath. The print view works meanwhile.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}

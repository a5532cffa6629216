using System.Globalization;
using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Sharing;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using SafetyPlan = Aftercare.Domain.Plans.SafetyPlan;

namespace Aftercare.Sharing;

/// <summary>Letters to the GP as sent, and the person's copy of their safety plan, as FHIR DocumentReference (attachments link to the page and PDF).</summary>
public static class DocumentReferenceFhir
{
    public const string Type = "DocumentReference";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject) { ByPatient = true };

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Letters to the GP as sent, and the person's copy of their safety plan; attachments link to the page and PDF.");

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var person = !Guid.TryParse(id, out var g) ? null
            : await db.Shares.AsNoTracking().Where(s => s.Id == g).Select(s => (Guid?)s.PersonId).FirstOrDefaultAsync(ct)
              ?? await db.SafetyPlans.AsNoTracking().Where(s => s.Id == g).Select(s => (Guid?)s.PersonId).FirstOrDefaultAsync(ct);
        var document = person is { } p ? (await Documents(db, BaseUrl(context), p, g, ct)).SingleOrDefault() : null;
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, document, person, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, BaseUrl(context), person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) => Documents(db, appBase, personId, null, token);

    /// <summary>The application's address (the pages and PDFs the attachments link to are not under /fhir).</summary>
    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    /// <summary>Letters to the GP, newest first, then the person's completed safety plans (or the one document with that id).</summary>
    private static async Task<List<Resource>> Documents(AftercareDbContext db, string baseUrl, Guid personId, Guid? id, CancellationToken ct)
    {
        var shares = await db.Shares.AsNoTracking().Where(s => s.PersonId == personId && (id == null || s.Id == id)).OrderByDescending(s => s.SharedAt).ToListAsync(ct);
        var plans = await db.SafetyPlans.AsNoTracking().Where(p => p.PersonId == personId && p.Status == DocumentStatus.Completed && (id == null || p.Id == id)).OrderByDescending(p => p.Id).ToListAsync(ct);
        return [.. shares.Select(s => ToDocumentReference(s, baseUrl)), .. plans.Select(p => ToDocumentReference(p, baseUrl))];
    }

    /// <summary>
    /// A letter to the GP as it was sent (docs/domain.md rule 8: what, with whom, why): the attachment
    /// points at the letter's page and PDF, whose URLs carry only the share's id; the plans in it are
    /// the exact versions sent.
    /// </summary>
    public static DocumentReference ToDocumentReference(Share share, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(share);
        var document = Document(share.Id, 1, share.PersonId, share.SharedAt, DocumentStatus.Completed,
            new CodeableConcept(FhirSystems.LoincSystem, "51852-2", "Letter", "Letter to the GP"),
            $"{share.What}, to {share.Recipient}. Why: {share.Purpose} Consent: {share.ConsentBasis}",
            $"{baseUrl}/shares/{share.Id}/pdf", $"{baseUrl}/shares/{share.Id}", "Letter to the GP");
        var context = document.Context = new DocumentReference.ContextComponent();
        if (share.CarePlanId is { } care)
        {
            context.Related.Add(new ResourceReference($"CarePlan/{care}/_history/{share.CarePlanVersion}"));
        }

        if (share.SafetyPlanId is { } safety)
        {
            context.Related.Add(new ResourceReference($"CarePlan/{safety}/_history/{share.SafetyPlanVersion}"));
        }

        return document;
    }
    /// <summary>
    /// The person's own copy of their completed safety plan (docs/domain.md rule 7: print or PDF, the
    /// same day). The attachment points at the print page and PDF of the current version, by the
    /// person's id only; the private link given to the person is a secret and never appears here.
    /// </summary>
    public static DocumentReference ToDocumentReference(SafetyPlan plan, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var document = Document(plan.Id, plan.Version, plan.PersonId, plan.UpdatedAt, plan.Status,
            new CodeableConcept(FhirSystems.LoincSystem, Plans.CarePlanFhir.SafetyPlanLoinc, "Suicide prevention safety plan", "Safety plan (the person's copy)"),
            $"Safety plan, version {plan.Version}: the person's own copy to print or save",
            $"{baseUrl}/people/{plan.PersonId}/safety-plan/pdf", $"{baseUrl}/people/{plan.PersonId}/safety-plan/print", "Safety plan");
        document.Context = new DocumentReference.ContextComponent { Related = [new ResourceReference($"CarePlan/{plan.Id}/_history/{plan.Version}")] };
        return document;
    }
    private static DocumentReference Document(
        Guid id, int version, Guid personId, DateTimeOffset date, DocumentStatus status, CodeableConcept type, string description, string pdfUrl, string pageUrl, string title)
    {
        var document = new DocumentReference
        {
            Id = id.ToString(),
            Meta = new Meta { VersionId = version.ToString(CultureInfo.InvariantCulture), LastUpdated = date },
            Status = DocumentReferenceStatus.Current,
            DocStatus = status == DocumentStatus.Completed ? CompositionStatus.Final : CompositionStatus.Preliminary,
            Type = type,
            Subject = new ResourceReference($"Patient/{personId}"),
            Date = date,
            Description = description,
        };
        document.Content.Add(new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Url = pdfUrl, Title = title } });
        document.Content.Add(new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/html", Url = pageUrl, Title = title } });
        return document;
    }
}

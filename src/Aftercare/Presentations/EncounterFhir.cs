using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Presentations;

/// <summary>
/// A presentation as a FHIR Encounter (always finished: it is recorded after the person left the
/// emergency department), its read and its search by patient, date, status and <c>_sort</c>.
/// </summary>
public static class EncounterFhir
{
    public const string Type = "Encounter";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject, FhirParameter.Date) { ByPatient = true, Sorted = true };

    public const string AlcoholUrl = FhirSystems.ExtensionBase + "alcohol-involved";
    public const string TreatmentUrl = FhirSystems.ExtensionBase + "medical-treatment-needed";
    public const string AssessedUrl = FhirSystems.ExtensionBase + "psychosocial-assessment-time";
    public const string DispositionSystem = FhirSystems.ExtensionBase + "CodeSystem/disposition";

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await WithSite(db, id, ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, found is { } f ? ToEncounter(f.Presentation, f.Site) : null, found?.Presentation.PersonId, ct, AuditAction.PersonViewed);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        SearchPresentations(context, db, clock, Searched, ToEncounter, ct);

    /// <summary>A presentation with the site it was at, or null when there is none with that id.</summary>
    internal static async Task<(Presentation Presentation, Site Site)?> WithSite(AftercareDbContext db, string id, CancellationToken ct)
    {
        var presentation = Guid.TryParse(id, out var g) ? await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        return presentation is null ? null : (presentation, await db.Sites.AsNoTracking().FirstAsync(s => s.Id == presentation.SiteId, ct));
    }

    /// <summary>Encounters and Conditions are both the person's presentations, searched in the database: date on arrival, _lastUpdated on recording.</summary>
    internal static async Task<IResult> SearchPresentations(
        HttpContext context, AftercareDbContext db, TimeProvider clock, SearchDeclaration declared, Func<Presentation, Site, Resource> map, CancellationToken ct)
    {
        if (!FhirSearch.Read(context, declared, out var search, out var refusal))
        {
            return refusal!;
        }

        var personId = search.Patient!.Value;
        if (await FhirAccess.CheckAsync(db, clock, context, [personId], AuditPurpose.DirectCare, ct) is { Refused: true } refused)
        {
            return await FhirAccess.RefuseAsync(context, db, clock, refused, ct);
        }

        // Arrival is filtered in the database; status and _lastUpdated (recording) on the resources.
        var query = search.Dated(db.Presentations.AsNoTracking().Where(x => x.PersonId == personId), "date", x => x.ArrivedAt);
        query = search.Sort == "date" ? query.OrderBy(x => x.ArrivedAt).ThenBy(x => x.Id) : query.OrderByDescending(x => x.ArrivedAt).ThenByDescending(x => x.Id);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, ct);
        var found = (await query.ToListAsync(ct)).Select(x => map(x, sites[x.SiteId])).Where(search.Keeps).ToList();
        var page = search.Page(found);
        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.PersonViewed, page.Entry.Count > 0 ? [personId] : [], $"fhir search {declared.Type}",
            () => FhirJson.Ok(page), ct);
    }

    public static Encounter ToEncounter(Presentation presentation, Site site)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        ArgumentNullException.ThrowIfNull(site);
        var encounter = new Encounter
        {
            Id = presentation.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = presentation.RecordedAt },
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER", "emergency"),
            Subject = new ResourceReference($"Patient/{presentation.PersonId}"),
            Period = new Period { StartElement = new FhirDateTime(presentation.ArrivedAt) },
            ServiceProvider = new ResourceReference { Identifier = new Identifier(FhirSystems.SiteSystem, site.Code), Display = site.Name },
            Hospitalization = new Encounter.HospitalizationComponent
            {
                DischargeDisposition = new CodeableConcept(DispositionSystem, presentation.Disposition.ToString(), presentation.Disposition.Describe()),
            },
        };
        encounter.ReasonCode.Add(new CodeableConcept(FhirSystems.SnomedSystem, FhirSystems.SelfHarmSnomed, "Self-inflicted injury"));
        encounter.Extension.Add(new Extension(AlcoholUrl, new Code(presentation.AlcoholInvolved.ToString())));
        encounter.Extension.Add(new Extension(TreatmentUrl, new Code(presentation.MedicalTreatmentNeeded.ToString())));
        if (presentation.PsychosocialAssessmentAt is { } assessed)
        {
            encounter.Extension.Add(new Extension(AssessedUrl, new FhirDateTime(assessed)));
        }

        return encounter;
    }
}

using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Access;
using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Hosting;
using Aftercare.Smart;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Person = Aftercare.Domain.People.Person;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Fhir;

/// <summary>
/// FHIR R4 at /fhir: what works today is exactly what the CapabilityStatement says. Every
/// interaction is audited once per person whose data it returned or changed.
/// </summary>
public static class FhirApi
{
    public const int MaxCount = 100;
    public const int MaxBundleEntries = 50;

    private static readonly string[] PatientParams = ["identifier", "_lastUpdated", "_count", "_offset"];
    private static readonly string[] EncounterParams = ["patient", "subject", "date", "status", "_lastUpdated", "_count", "_offset", "_sort"];
    private static readonly string[] ConditionParams = ["patient", "subject", "_lastUpdated", "_count", "_offset"];

    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirRoutes.Base).DisableAntiforgery().AddEndpointFilter(OutsideRecordAccess.Refuse).WithMetadata(new Aftercare.Access.RecordCheckedOnAnswerAttribute());
        fhir.MapGet("/metadata", Metadata).AllowAnonymous();
        var read = fhir.MapGroup("").RequireAuthorization(Smart.SmartSetup.FhirRead);
        read.MapGet("/Patient/{id}", ReadPatient);
        read.MapGet("/Patient", SearchPatients);
        read.MapGet("/Encounter/{id}", ReadEncounter);
        read.MapGet("/Encounter", SearchEncounters);
        read.MapGet("/Condition/{id}", ReadCondition);
        read.MapGet("/Condition", SearchConditions);
        read.MapGet("/CarePlan/{id}", (string id, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadCarePlan(id, null, c, db, t, ct));
        read.MapGet("/CarePlan/{id}/_history/{version:int}", (string id, int version, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadCarePlan(id, version, c, db, t, ct));
        read.MapGet("/CarePlan/{id}/_history", CarePlanHistory);
        read.MapGet("/CarePlan", SearchCarePlans);
        read.MapGet("/EpisodeOfCare/{id}", ReadEpisode);
        read.MapGet("/EpisodeOfCare", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => SearchByPatient(c, db, t, "EpisodeOfCare",
            (person, token) => db.Episodes.AsNoTracking().Where(e => e.PersonId == person).OrderByDescending(e => e.Id).ToListAsync(token),
            e => (Resource)ProgrammeMapping.ToEpisodeOfCare(e), ct));
        read.MapGet("/ServiceRequest/{id}", ReadServiceRequest);
        read.MapGet("/ServiceRequest", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => SearchByPatient(c, db, t, "ServiceRequest",
            async (person, token) =>
            {
                var services = await db.Services.AsNoTracking().ToDictionaryAsync(s => s.Id, token);
                return (await db.Referrals.AsNoTracking().Where(r => r.PersonId == person).OrderByDescending(r => r.Id).ToListAsync(token))
                    .Select(r => (Resource)ProgrammeMapping.ToServiceRequest(r, services[r.ServiceId])).ToList();
            },
            r => r, ct));
        read.MapGet("/HealthcareService", SearchServices);
        read.MapGet("/Questionnaire/{id}", (string id) => id == AssessmentMapping.QuestionnaireId ? FhirJson.Ok(AssessmentMapping.Definition()) : Outcomes.NotFound("Questionnaire", id));
        read.MapGet("/QuestionnaireResponse/{id}", (string id, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadAssessment(id, null, c, db, t, ct));
        read.MapGet("/QuestionnaireResponse/{id}/_history/{version:int}", (string id, int version, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadAssessment(id, version, c, db, t, ct));
        read.MapGet("/QuestionnaireResponse", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => SearchByPatient(c, db, t, "QuestionnaireResponse",
            (person, token) => db.Assessments.AsNoTracking().Include(a => a.Revisions).Where(a => a.PersonId == person).OrderByDescending(a => a.Id).ToListAsync(token),
            a => (Resource)AssessmentMapping.ToResponse(a, a.Revisions.MaxBy(r => r.Version)!), ct));
        read.MapGet("/HealthcareService/{id}", ReadService);
        read.MapCareRecord();
        fhir.MapAuditTrail();
        var write = fhir.MapGroup("").RequireAuthorization(Smart.SmartSetup.FhirWrite);
        write.MapPost("/", Transaction);
        write.MapPost("/CarePlan", PlanWrites.Create);
        write.MapPut("/CarePlan/{id}", PlanWrites.Update);
        write.MapPost("/{type}", Create);
        return app;
    }

    public static IResult Metadata(HttpContext context) => FhirJson.Ok(Capability.Statement($"{context.Request.Scheme}://{context.Request.Host}{FhirRoutes.Base}"));

    public static async Task<IResult> ReadPatient(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var person = Guid.TryParse(id, out var g) ? await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        if (person is null)
        {
            return Outcomes.NotFound("Patient", id);
        }

        await Audit(db, clock, context, AuditAction.PersonViewed, [person.Id], $"fhir read Patient", ct);
        return FhirJson.Ok(PresentationMapping.ToPatient(person));
    }

    public static async Task<IResult> SearchPatients(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (Unknown(context, PatientParams) is { } refused)
        {
            return refused;
        }

        var people = db.People.AsNoTracking().AsQueryable();
        if (context.Request.Query["identifier"].ToString() is { Length: > 0 } identifier)
        {
            var parts = identifier.Split('|', 2);
            var (system, value) = parts.Length == 2 ? (parts[0], parts[1]) : ("", parts[0]);
            IdentifierKind? kind = system switch { FhirRoutes.MrnSystem => IdentifierKind.Mrn, FhirRoutes.NhsNumberSystem => IdentifierKind.NhsNumber, "" => null, _ => (IdentifierKind)(-1) };
            if (kind == (IdentifierKind)(-1))
            {
                return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, $"Identifier systems searched: {FhirRoutes.MrnSystem}, {FhirRoutes.NhsNumberSystem}.", "identifier");
            }

            var mrn = PersonIdentifier.Normalise(IdentifierKind.Mrn, value);
            var nhs = PersonIdentifier.Normalise(IdentifierKind.NhsNumber, value);
            people = people.Where(p => p.Identifiers.Any(i => (kind != IdentifierKind.NhsNumber && i.Kind == IdentifierKind.Mrn && i.Value == mrn)
                || (kind != IdentifierKind.Mrn && i.Kind == IdentifierKind.NhsNumber && i.Value == nhs)));
        }
        else
        {
            // Listing everyone is not a clinical need: a Patient search names someone.
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, "Search for a Patient by identifier (system|value).", "identifier");
        }

        foreach (var value in context.Request.Query["_lastUpdated"])
        {
            if (DateFilter(value) is not { } filter)
            {
                return BadDate("_lastUpdated", value);
            }

            people = WhereDate(people, p => p.RegisteredAt, filter);
        }

        // Need-to-know before counting: a record the caller may not open is not counted, paged or
        // filtered on, so neither the total nor a date bisection says it exists (issue 17).
        if (OpenTo(context, db, clock) is { } open)
        {
            people = people.Where(p => open.Contains(p.Id));
        }

        var (count, offset) = Paging(context);
        var total = await people.CountAsync(ct);
        var page = await people.OrderBy(p => p.Id).Skip(offset).Take(count).ToListAsync(ct);
        await Audit(db, clock, context, AuditAction.PeopleSearched, [.. page.Select(p => p.Id)], "fhir search Patient", ct);
        return FhirJson.Ok(SearchSet(context, total, offset, count, page.Select(PresentationMapping.ToPatient)));
    }

    public static async Task<IResult> ReadEncounter(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await PresentationWithSite(db, id, ct);
        if (found is not { } f)
        {
            return Outcomes.NotFound("Encounter", id);
        }

        await Audit(db, clock, context, AuditAction.PersonViewed, [f.Presentation.PersonId], "fhir read Encounter", ct);
        return FhirJson.Ok(PresentationMapping.ToEncounter(f.Presentation, f.Site));
    }

    public static async Task<IResult> ReadCondition(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await PresentationWithSite(db, id, ct);
        if (found is not { } f)
        {
            return Outcomes.NotFound("Condition", id);
        }

        await Audit(db, clock, context, AuditAction.PersonViewed, [f.Presentation.PersonId], "fhir read Condition", ct);
        return FhirJson.Ok(PresentationMapping.ToCondition(f.Presentation));
    }

    public static Task<IResult> SearchEncounters(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        SearchPresentations(context, db, clock, EncounterParams, "Encounter", (p, s) => PresentationMapping.ToEncounter(p, s), ct);

    public static Task<IResult> SearchConditions(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        SearchPresentations(context, db, clock, ConditionParams, "Condition", (p, _) => PresentationMapping.ToCondition(p), ct);

    private static async Task<IResult> SearchPresentations(
        HttpContext context, AftercareDbContext db, TimeProvider clock, string[] supported, string type, Func<Presentation, Site, Resource> map, CancellationToken ct)
    {
        if (Unknown(context, supported) is { } refused)
        {
            return refused;
        }

        if (await SearchedPatient(context, db, clock, ct) is not { } personId)
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, $"Search {type} by patient (Patient/id).", "patient");
        }

        var query = db.Presentations.AsNoTracking().Where(x => x.PersonId == personId);
        foreach (var (parameter, field) in new (string, System.Linq.Expressions.Expression<Func<Presentation, DateTimeOffset>>)[] { ("date", x => x.ArrivedAt), ("_lastUpdated", x => x.RecordedAt) })
        {
            foreach (var value in context.Request.Query[parameter])
            {
                if (DateFilter(value) is not { } filter)
                {
                    return BadDate(parameter, value);
                }

                query = WhereDate(query, field, filter);
            }
        }

        // Every presentation is a finished Encounter.
        if (type == "Encounter" && !StatusMatches(context, new Encounter { Status = Encounter.EncounterStatus.Finished }))
        {
            query = query.Where(_ => false);
        }

        var sort = context.Request.Query["_sort"].ToString();
        if (sort is not ("" or "date" or "-date"))
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, "_sort supports date and -date.", "_sort");
        }

        query = sort == "date" ? query.OrderBy(x => x.ArrivedAt) : query.OrderByDescending(x => x.ArrivedAt);
        var (count, offset) = Paging(context);
        var total = await query.CountAsync(ct);
        var page = await query.Skip(offset).Take(count).ToListAsync(ct);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, ct);
        await Audit(db, clock, context, AuditAction.PersonViewed, page.Count > 0 ? [personId] : [], $"fhir search {type}", ct);
        return FhirJson.Ok(SearchSet(context, total, offset, count, page.Select(x => map(x, sites[x.SiteId]))));
    }

    private static readonly string[] CarePlanParams = ["patient", "subject", "category", "status", "_lastUpdated", "_count", "_offset"];

    /// <summary>A care plan or safety plan by id, at its current version or (vread) an earlier one.</summary>
    public static async Task<IResult> ReadCarePlan(string id, int? version, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var versions = await PlanVersions(db, id, ct);
        if (versions.Count == 0)
        {
            return Outcomes.NotFound("CarePlan", version is null ? id : $"{id}/_history/{version}");
        }

        var chosen = version is { } v ? versions.FirstOrDefault(p => p.Meta!.VersionId == v.ToString(System.Globalization.CultureInfo.InvariantCulture)) : versions[0];
        if (chosen is null)
        {
            return Outcomes.NotFound("CarePlan", $"{id}/_history/{version}");
        }

        await Audit(db, clock, context, AuditAction.DocumentViewed, [Guid.Parse(chosen.Subject!.Reference!["Patient/".Length..])], "fhir read CarePlan", ct);
        return FhirJson.Ok(chosen);
    }

    public static async Task<IResult> CarePlanHistory(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var versions = await PlanVersions(db, id, ct);
        if (versions.Count == 0)
        {
            return Outcomes.NotFound("CarePlan", id);
        }

        await Audit(db, clock, context, AuditAction.DocumentViewed, [Guid.Parse(versions[0].Subject!.Reference!["Patient/".Length..])], "fhir history CarePlan", ct);
        var bundle = new Bundle { Type = Bundle.BundleType.History, Total = versions.Count };
        foreach (var plan in versions)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{context.Request.Scheme}://{context.Request.Host}{FhirRoutes.Base}/CarePlan/{plan.Id}/_history/{plan.Meta!.VersionId}",
                Resource = plan,
                Request = new Bundle.RequestComponent { Method = plan.Meta!.VersionId == "1" ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT, Url = $"CarePlan/{plan.Id}" },
            });
        }

        return FhirJson.Ok(bundle);
    }

    public static async Task<IResult> SearchCarePlans(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (Unknown(context, CarePlanParams) is { } refused)
        {
            return refused;
        }

        if (await SearchedPatient(context, db, clock, ct) is not { } personId)
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, "Search CarePlan by patient (Patient/id).", "patient");
        }

        var category = context.Request.Query["category"].ToString();
        var safetyOnly = category.EndsWith(PlanMapping.SafetyPlanLoinc, StringComparison.Ordinal);
        var careOnly = category.EndsWith("assess-plan", StringComparison.Ordinal);
        var plans = new List<Resource>();
        if (!safetyOnly)
        {
            foreach (var plan in await db.CarePlans.AsNoTracking().Include(x => x.Revisions).Where(x => x.PersonId == personId).ToListAsync(ct))
            {
                plans.Add(PlanMapping.ToCarePlan(plan.Id, plan.PersonId, plan.Revisions.MaxBy(r => r.Version)!));
            }
        }

        if (!careOnly)
        {
            foreach (var plan in await db.SafetyPlans.AsNoTracking().Include(x => x.Revisions).Where(x => x.PersonId == personId).ToListAsync(ct))
            {
                plans.Add(PlanMapping.ToSafetyPlan(plan.Id, plan.PersonId, plan.Revisions.MaxBy(r => r.Version)!));
            }
        }

        var updated = LastUpdated(context);
        if (!updated.IsSuccess)
        {
            return Outcomes.Invalid(updated.Errors, StatusCodes.Status400BadRequest);
        }

        plans = [.. plans.Where(r => updated.Value(r.Meta?.LastUpdated) && StatusMatches(context, r))];
        var (count, offset) = Paging(context);
        await Audit(db, clock, context, AuditAction.DocumentViewed, plans.Count > 0 ? [personId] : [], "fhir search CarePlan", ct);
        return FhirJson.Ok(SearchSet(context, plans.Count, offset, count, plans.Skip(offset).Take(count)));
    }

    private static readonly string[] PatientOnlyParams = ["patient", "subject", "_lastUpdated", "_count", "_offset"];

    /// <summary>An assessment at its current version or (vread) an earlier one.</summary>
    public static async Task<IResult> ReadAssessment(string id, int? version, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var assessment = Guid.TryParse(id, out var g) ? await db.Assessments.AsNoTracking().Include(a => a.Revisions).FirstOrDefaultAsync(a => a.Id == g, ct) : null;
        var revision = version is { } v ? assessment?.Revisions.FirstOrDefault(r => r.Version == v) : assessment?.Revisions.MaxBy(r => r.Version);
        if (assessment is null || revision is null)
        {
            return Outcomes.NotFound("QuestionnaireResponse", version is null ? id : $"{id}/_history/{version}");
        }

        await Audit(db, clock, context, AuditAction.DocumentViewed, [assessment.PersonId], "fhir read QuestionnaireResponse", ct);
        return FhirJson.Ok(AssessmentMapping.ToResponse(assessment, revision));
    }

    public static async Task<IResult> ReadEpisode(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var episode = Guid.TryParse(id, out var g) ? await db.Episodes.AsNoTracking().FirstOrDefaultAsync(e => e.Id == g, ct) : null;
        if (episode is null)
        {
            return Outcomes.NotFound("EpisodeOfCare", id);
        }

        await Audit(db, clock, context, AuditAction.DocumentViewed, [episode.PersonId], "fhir read EpisodeOfCare", ct);
        return FhirJson.Ok(ProgrammeMapping.ToEpisodeOfCare(episode));
    }

    public static async Task<IResult> ReadServiceRequest(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var referral = Guid.TryParse(id, out var g) ? await db.Referrals.AsNoTracking().FirstOrDefaultAsync(r => r.Id == g, ct) : null;
        if (referral is null)
        {
            return Outcomes.NotFound("ServiceRequest", id);
        }

        var service = await db.Services.AsNoTracking().FirstAsync(s => s.Id == referral.ServiceId, ct);
        await Audit(db, clock, context, AuditAction.DocumentViewed, [referral.PersonId], "fhir read ServiceRequest", ct);
        return FhirJson.Ok(ProgrammeMapping.ToServiceRequest(referral, service));
    }

    /// <summary>The directory is not patient data: read and listed without a patient.</summary>
    public static async Task<IResult> SearchServices(HttpContext context, AftercareDbContext db, CancellationToken ct)
    {
        if (Unknown(context, ["_lastUpdated", "_count", "_offset"]) is { } refused)
        {
            return refused;
        }

        var updated = LastUpdated(context);
        if (!updated.IsSuccess)
        {
            return Outcomes.Invalid(updated.Errors, StatusCodes.Status400BadRequest);
        }

        var services = (await db.Services.AsNoTracking().OrderBy(s => s.Code).ToListAsync(ct))
            .Select(ProgrammeMapping.ToHealthcareService).Where(s => updated.Value(s.Meta?.LastUpdated)).ToList();
        var (count, offset) = Paging(context);
        return FhirJson.Ok(SearchSet(context, services.Count, offset, count, services.Skip(offset).Take(count)));
    }

    public static async Task<IResult> ReadService(string id, AftercareDbContext db, CancellationToken ct)
    {
        var service = Guid.TryParse(id, out var g) ? await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;
        return service is null ? Outcomes.NotFound("HealthcareService", id) : FhirJson.Ok(ProgrammeMapping.ToHealthcareService(service));
    }

    internal static async Task<IResult> SearchByPatient<T>(
        HttpContext context, AftercareDbContext db, TimeProvider clock, string type, Func<Guid, CancellationToken, Task<List<T>>> load, Func<T, Resource> map, CancellationToken ct)
    {
        if (Unknown(context, HasStatus(type) ? [.. PatientOnlyParams, "status"] : PatientOnlyParams) is { } refused)
        {
            return refused;
        }

        if (await SearchedPatient(context, db, clock, ct) is not { } personId)
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, $"Search {type} by patient (Patient/id).", "patient");
        }

        var updated = LastUpdated(context);
        if (!updated.IsSuccess)
        {
            return Outcomes.Invalid(updated.Errors, StatusCodes.Status400BadRequest);
        }

        var resources = (await load(personId, ct)).Select(map).Where(r => updated.Value(r.Meta?.LastUpdated) && StatusMatches(context, r)).ToList();
        var (count, offset) = Paging(context);
        await Audit(db, clock, context, AuditAction.DocumentViewed, resources.Count > 0 ? [personId] : [], $"fhir search {type}", ct);
        return FhirJson.Ok(SearchSet(context, resources.Count, offset, count, resources.Skip(offset).Take(count)));
    }

    /// <summary>Every version of a care plan or safety plan, newest first; empty when there is no such plan.</summary>
    private static async Task<List<CarePlan>> PlanVersions(AftercareDbContext db, string id, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return [];
        }

        var care = await db.CarePlans.AsNoTracking().Include(x => x.Revisions).FirstOrDefaultAsync(x => x.Id == g, ct);
        if (care is not null)
        {
            return [.. care.Revisions.OrderByDescending(r => r.Version).Select(r => PlanMapping.ToCarePlan(care.Id, care.PersonId, r))];
        }

        var safety = await db.SafetyPlans.AsNoTracking().Include(x => x.Revisions).FirstOrDefaultAsync(x => x.Id == g, ct);
        return safety is null ? [] : [.. safety.Revisions.OrderByDescending(r => r.Version).Select(r => PlanMapping.ToSafetyPlan(safety.Id, safety.PersonId, r))];
    }

    /// <summary>POST /fhir/{type}: only RiskAssessment gets a specific answer, and it is no (docs/domain.md rule 1).</summary>
    public static async Task<IResult> Create(string type, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct));
        if (!parsed.IsSuccess)
        {
            return Outcomes.Invalid(parsed.Errors, StatusCodes.Status400BadRequest);
        }

        if (parsed.Value.TypeName != type)
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, $"The body is a {parsed.Value.TypeName}, not a {type}.");
        }

        if (RiskRule.Refusal(parsed.Value) is { } refusal)
        {
            await Audit(db, clock, context, AuditAction.FhirRefused, [], "RiskAssessment refused", ct);
            return refusal;
        }

        return Outcomes.Fail(StatusCodes.Status405MethodNotAllowed, OperationOutcome.IssueType.NotSupported,
            $"Creating a {type} on its own is not supported; send presentations as a transaction Bundle (Patient, Encounter, Condition). See /fhir/metadata.");
    }

    /// <summary>
    /// Intake: a transaction Bundle with a Patient (or a reference to one), an Encounter and a
    /// Condition becomes one registered presentation, all or nothing. A Patient with
    /// ifNoneExist=identifier links to the person who holds that identifier.
    /// </summary>
    public static async Task<IResult> Transaction(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct));
        if (!parsed.IsSuccess)
        {
            return Outcomes.Invalid(parsed.Errors, StatusCodes.Status400BadRequest);
        }

        if (parsed.Value is not Bundle { Type: Bundle.BundleType.Transaction } bundle)
        {
            return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, "POST /fhir takes a Bundle of type transaction.");
        }

        if (bundle.Entry.Count > MaxBundleEntries)
        {
            return Outcomes.Fail(StatusCodes.Status413PayloadTooLarge, OperationOutcome.IssueType.TooCostly, $"A transaction may hold at most {MaxBundleEntries} entries.");
        }

        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is not null && RiskRule.Refusal(entry.Resource) is { } refusal)
            {
                await Audit(db, clock, context, AuditAction.FhirRefused, [], "RiskAssessment refused", ct);
                return refusal;
            }
        }

        var intake = await Intake.Read(bundle, db, ct);
        if (!intake.IsSuccess)
        {
            return Outcomes.Invalid(intake.Errors);
        }

        var outcome = await RegisterPresentation.Handle(db, clock, context.User.ToActor(), intake.Value, ct);
        return outcome switch
        {
            RegisterPresentation.Registered r => FhirJson.Ok(Intake.Response(r, intake.Value.ExistingPersonId is not null), StatusCodes.Status200OK),
            RegisterPresentation.IdentifierBelongsToSomeone held => Outcomes.Fail(StatusCodes.Status409Conflict, OperationOutcome.IssueType.Conflict,
                $"{held.Message} Send the Patient with ifNoneExist=identifier=system|value, or reference Patient/{held.PersonId}."),
            RegisterPresentation.Invalid invalid => Outcomes.Invalid(invalid.Errors),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    internal static IResult? Unknown(HttpContext context, string[] supported)
    {
        var unknown = context.Request.Query.Keys.Where(k => !supported.Contains(k)).ToList();
        if (unknown.Count == 0)
        {
            return null;
        }

        // FHIR: unknown parameters are ignored unless the client asks for strict handling.
        var strict = context.Request.Headers["Prefer"].Any(p => p is not null && p.Contains("handling=strict", StringComparison.OrdinalIgnoreCase));
        return strict
            ? Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, $"Unknown search parameter(s): {string.Join(", ", unknown)}. Supported: {string.Join(", ", supported)}.")
            : null;
    }

    internal static (int Count, int Offset) Paging(HttpContext context)
    {
        var count = int.TryParse(context.Request.Query["_count"], out var c) ? Math.Clamp(c, 1, MaxCount) : 20;
        var offset = int.TryParse(context.Request.Query["_offset"], out var o) ? Math.Max(0, o) : 0;
        return (count, offset);
    }

    internal static Bundle SearchSet(HttpContext context, int total, int offset, int count, IEnumerable<Resource> resources)
    {
        var self = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
        string Link(int at)
        {
            var query = context.Request.Query.Where(q => q.Key is not ("_offset" or "_count"))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"_count={count}").Append($"_offset={at}");
            return $"{self}?{string.Join('&', query)}";
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(offset) });
        if (offset + count < total)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(offset + count) });
        }

        if (offset > 0)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = Link(Math.Max(0, offset - count)) });
        }

        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{context.Request.Scheme}://{context.Request.Host}{FhirRoutes.Base}/{resource.TypeName}/{resource.Id}",
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return bundle;
    }

    /// <summary>Whether a resource type has a <c>status</c> element, and so the <c>status</c> search parameter.</summary>
    internal static bool HasStatus(string type) =>
        ModelInfo.ModelInspector.FindClassMapping(type)?.FindMappedElementByName("status") is not null;

    /// <summary><c>status</c> (a token; commas mean "any of"): the resource's own status code, compared exactly.</summary>
    internal static bool StatusMatches(HttpContext context, Resource resource)
    {
        var wanted = context.Request.Query["status"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (wanted.Count == 0)
        {
            return true;
        }

        var status = resource.TryGetValue("status", out var value) ? value as PrimitiveType : null;
        return status?.JsonValue?.ToString() is { } code && wanted.Contains(code);
    }

    internal static IResult BadDate(string parameter, string? value) =>
        Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Value, $"{parameter} \"{value}\" is not a FHIR date with an optional prefix (ge, le, gt, lt, eq).", parameter);

    /// <summary>Filters a query by a FHIR date comparison on one of its columns; eq means that whole day.</summary>
    internal static IQueryable<T> WhereDate<T>(IQueryable<T> query, System.Linq.Expressions.Expression<Func<T, DateTimeOffset>> field, (string Op, DateTimeOffset At) filter)
    {
        System.Linq.Expressions.Expression Compare(System.Linq.Expressions.ExpressionType type, DateTimeOffset value) =>
            System.Linq.Expressions.Expression.MakeBinary(type, field.Body, System.Linq.Expressions.Expression.Constant(value));
        var (op, at) = filter;
        var body = op switch
        {
            "ge" => Compare(System.Linq.Expressions.ExpressionType.GreaterThanOrEqual, at),
            "gt" => Compare(System.Linq.Expressions.ExpressionType.GreaterThan, at),
            "le" => Compare(System.Linq.Expressions.ExpressionType.LessThanOrEqual, at),
            "lt" => Compare(System.Linq.Expressions.ExpressionType.LessThan, at),
            _ => System.Linq.Expressions.Expression.AndAlso(
                Compare(System.Linq.Expressions.ExpressionType.GreaterThanOrEqual, at), Compare(System.Linq.Expressions.ExpressionType.LessThan, at.AddDays(1))),
        };
        return query.Where(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(body, field.Parameters));
    }

    /// <summary>The <c>_lastUpdated</c> comparisons as one test on a resource's meta.lastUpdated (for results built in memory).</summary>
    internal static Aftercare.Domain.Result<Func<DateTimeOffset?, bool>> LastUpdated(HttpContext context)
    {
        Func<DateTimeOffset?, bool> keep = _ => true;
        foreach (var value in context.Request.Query["_lastUpdated"])
        {
            if (DateFilter(value) is not { } filter)
            {
                return Aftercare.Domain.Result<Func<DateTimeOffset?, bool>>.Failure("_lastUpdated", $"_lastUpdated \"{value}\" is not a FHIR date with an optional prefix (ge, le, gt, lt, eq).");
            }

            var (op, at) = filter;
            var before = keep;
            keep = d => before(d) && d is { } x && op switch
            {
                "ge" => x >= at,
                "gt" => x > at,
                "le" => x <= at,
                "lt" => x < at,
                _ => x >= at && x < at.AddDays(1),
            };
        }

        return keep;
    }

    internal static (string Op, DateTimeOffset At)? DateFilter(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var op = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var date = op == "eq" && !char.IsLetter(value[0]) ? value : value[2..];
        return op is "ge" or "gt" or "le" or "lt" or "eq"
            && DateTimeOffset.TryParse(date, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? (op, at.ToUniversalTime()) : null;
    }

    private static async Task<(Presentation Presentation, Site Site)?> PresentationWithSite(AftercareDbContext db, string id, CancellationToken ct)
    {
        var presentation = Guid.TryParse(id, out var g) ? await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        return presentation is null ? null : (presentation, await db.Sites.AsNoTracking().FirstAsync(s => s.Id == presentation.SiteId, ct));
    }

    /// <summary>
    /// The person a search is about (<c>patient</c> or <c>subject</c>, as <c>Patient/id</c> or the
    /// bare id), or null when there is none. Need-to-know is checked here, before anything is
    /// counted, filtered or paged: someone the caller may not open, and someone who does not exist,
    /// both end in <see cref="OutsideRecordAccess"/>, which answers as if there were nothing.
    /// </summary>
    internal static async Task<Guid?> SearchedPatient(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var patient = context.Request.Query["patient"].ToString() is { Length: > 0 } p ? p : context.Request.Query["subject"].ToString();
        if (!Guid.TryParse(patient.StartsWith("Patient/", StringComparison.Ordinal) ? patient["Patient/".Length..] : patient, out var personId))
        {
            return null;
        }

        await CheckAccess(db, clock, context, [personId], AuditPurpose.DirectCare, ct);
        return personId;
    }

    /// <summary>The people this caller may see, to filter a search by before it counts; null for a backend service, which acts for the organisation.</summary>
    internal static IQueryable<Guid>? OpenTo(HttpContext context, AftercareDbContext db, TimeProvider clock)
    {
        if (context.User.PatientContext() is { } only)
        {
            return db.People.Where(p => p.Id == only).Select(p => p.Id);
        }

        return SmartSetup.IsBackendService(context.User) ? null : RecordAccess.Open(db, context.User.ToActor().UserId, clock.GetUtcNow());
    }

    /// <summary>
    /// Need-to-know for an answer or a write about these people; returns those opened by breaking
    /// the glass (audited as such), and throws <see cref="OutsideRecordAccess"/> for anyone else.
    /// </summary>
    internal static async Task<List<Guid>> CheckAccess(
        AftercareDbContext db, TimeProvider clock, HttpContext context, IReadOnlyCollection<Guid> people, string purpose, CancellationToken ct)
    {
        // Every answer about people passes here, so this is where need-to-know and a patient-level
        // token's limit hold, for every resource, read or search.
        if (context.User.PatientContext() is { } only && people.FirstOrDefault(p => p != only) is var outside && outside != Guid.Empty)
        {
            throw new OutsideRecordAccess(outside, "This app was allowed one person's record only (patient/* scopes), and this request reaches beyond it.");
        }

        // Backend services act for the organisation (registered by an administrator with a role);
        // the audit trail is read by administrators as ids, not as records.
        var breakGlass = new List<Guid>();
        if (!SmartSetup.IsBackendService(context.User) && purpose != AuditPurpose.Administration && context.User.Identity?.IsAuthenticated == true)
        {
            var userId = context.User.ToActor().UserId;
            foreach (var person in people.Distinct())
            {
                switch (await RecordAccess.CheckAsync(db, userId, person, clock.GetUtcNow(), ct))
                {
                    case Relationship.None:
                        throw new OutsideRecordAccess(person, "This record is held by another care team. Records are shared on a need-to-know basis; in an emergency, break the glass from the record's page.");
                    case Relationship.BreakGlass:
                        breakGlass.Add(person);
                        break;
                }
            }
        }

        return breakGlass;
    }

    /// <summary>IHE BALP style: one audit event per person whose data was returned, or one for the request when none was.</summary>
    internal static async Task Audit(
        AftercareDbContext db, TimeProvider clock, HttpContext context, AuditAction action, IReadOnlyCollection<Guid> people, string what, CancellationToken ct, string purpose = AuditPurpose.DirectCare)
    {
        var breakGlass = await CheckAccess(db, clock, context, people, purpose, ct);
        var actor = context.User.Identity?.IsAuthenticated == true ? context.User.ToActor() : new Actor("", "(anonymous FHIR client)", []);
        if (people.Count == 0)
        {
            db.Audit(clock, actor, action, purpose, null, what);
        }

        foreach (var person in people.Distinct())
        {
            db.Audit(clock, actor, action, purpose, person, what);
        }

        foreach (var person in breakGlass)
        {
            db.Audit(clock, actor, AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, person, what);
        }

        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// Thrown when an answer would hold someone the caller may not see: outside their care team, or
/// outside a patient-level SMART token's one person. Raised from <see cref="FhirApi.Audit"/>, which
/// every read and search passes before it answers, so no handler can forget the check; turned into
/// a 403 here, and audited with the person it would have shown.
/// </summary>
#pragma warning disable CA1032, CA1064 // Never leaves the FHIR endpoint filter below.
internal sealed class OutsideRecordAccess(Guid personId, string reason) : Exception(reason)
#pragma warning restore CA1032, CA1064
{
    public Guid PersonId { get; } = personId;

    public static async ValueTask<object?> Refuse(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (OutsideRecordAccess refused)
        {
            var context = invocation.HttpContext;
            var db = context.RequestServices.GetRequiredService<AftercareDbContext>();
            db.ChangeTracker.Clear();
            db.Audit(context.RequestServices.GetRequiredService<TimeProvider>(), context.User.ToActor(), AuditAction.FhirRefused, AuditPurpose.Security,
                refused.PersonId, "outside the caller's access");
            await db.SaveChangesAsync(context.RequestAborted);
            return AsIfNotThere(context, refused.PersonId);
        }
    }

    /// <summary>
    /// What someone outside a record is told: exactly what they would be told if it did not exist
    /// (a 404 for a read or update, an empty page for a search, the subject not found for a create),
    /// so that no status, count or version reveals that a record, a plan or an episode exists (issue 17).
    /// </summary>
    private static IResult AsIfNotThere(HttpContext context, Guid personId)
    {
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var type = segments.Length > 1 ? segments[1] : "";
        if (context.GetRouteValue("id")?.ToString() is { } id)
        {
            return Outcomes.NotFound(type, context.GetRouteValue("version")?.ToString() is { } version ? $"{id}/_history/{version}" : id);
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            var (count, offset) = FhirApi.Paging(context);
            return FhirJson.Ok(FhirApi.SearchSet(context, 0, offset, count, []));
        }

        return Outcomes.Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"Patient/{personId} was not found.", $"{type}.subject");
    }
}

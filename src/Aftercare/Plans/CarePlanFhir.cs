using System.Globalization;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.App.Plans;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using CarePlan = Hl7.Fhir.Model.CarePlan;

namespace Aftercare.Plans;

/// <summary>
/// Care plans and safety plans as FHIR CarePlan (the safety plan with category LOINC 87626-8),
/// written field by field; every saved version is a FHIR version (vread, history). Read and
/// searched by patient; safety plans are also written: create (POST CarePlan) and version-aware
/// update (PUT CarePlan/{id} with If-Match), through the same use case as the page, so the same
/// rules hold: a completed plan is amended only with a reason, and a save based on an older version
/// is refused (412) and changes nothing.
/// </summary>
public static class CarePlanFhir
{
    public const string Type = "CarePlan";

    /// <summary>
    /// A safety plan section's code (CodeSystem/safety-plan-section): what a client reads and
    /// writes; the title beside it is for people. The section's name in the domain, in kebab case
    /// (ReasonsForLiving is reasons-for-living).
    /// </summary>
    public const string SectionSystem = CanonicalUrls.CodeSystemBase + "safety-plan-section";

    /// <summary><c>activity-code</c> (R4's CarePlan.activity.detail.code): the plans with a section of that code.</summary>
    public static readonly FhirParameter ActivityCode = new("activity-code", SearchParamType.Token)
    {
        Element = r => r is CarePlan plan ? plan.Activity.Select(a => a.Detail?.Code).OfType<CodeableConcept>() : [],
    };

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject, new("category", SearchParamType.Token), ActivityCode) { ByPatient = true };

    public const string SafetyPlanLoinc = "87626-8";

    /// <summary>The profile every safety plan the server gives conforms to (care plans have none).</summary>
    public const string SafetyPlanProfile = CanonicalUrls.StructureDefinitionBase + "aftercare-safety-plan";
    public const string CarePlanCategorySystem = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category";
    public const string AmendmentReasonUrl = FhirSystems.ExtensionBase + "amendment-reason";

    public static CapabilityStatement.ResourceComponent Capability()
    {
        var carePlan = Fhir.Capability.Resource(Searched,
            "Care plans (category assess-plan, read only) and safety plans (LOINC 87626-8, read and write); every saved version is a FHIR version.");
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Vread });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.HistoryInstance });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Create, Documentation = "Safety plans only (category LOINC 87626-8), one activity per section." });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Update, Documentation = "Safety plans only; If-Match is required and a stale version gets 412." });
        carePlan.Versioning = CapabilityStatement.ResourceVersionPolicy.VersionedUpdate;
        carePlan.UpdateCreate = false;
        return carePlan;
    }

    public static Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        ReadVersion(id, null, context, db, clock, ct);

    /// <summary>A care plan or safety plan by id, at its current version or (vread) an earlier one.</summary>
    public static async Task<IResult> ReadVersion(string id, int? version, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var versions = await Versions(db, id, ct);
        var chosen = version is { } v ? versions.FirstOrDefault(p => p.Meta!.VersionId == v.ToString(CultureInfo.InvariantCulture)) : versions.FirstOrDefault();
        return await RecordAnswers.ReadAsync(context, db, clock, Type, version is null ? id : $"{id}/{FhirRoutes.History}/{version}", chosen, chosen is null ? null : PersonOf(chosen), ct);
    }

    public static async Task<IResult> History(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var versions = await Versions(db, id, ct);
        if (versions.Count == 0)
        {
            return Outcomes.NotFound(Type, id);
        }

        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.DocumentViewed, [PersonOf(versions[0])], "fhir history CarePlan", () =>
        {
            var bundle = new Bundle { Type = Bundle.BundleType.History, Total = versions.Count };
            foreach (var plan in versions)
            {
                // bdl-8: fullUrl is the version-independent URL; bdl-4: every history entry says what its request got.
                var first = plan.Meta!.VersionId == "1";
                bundle.Entry.Add(new Bundle.EntryComponent
                {
                    FullUrl = FhirRoutes.FullUrl(context, Type, plan.Id),
                    Resource = plan,
                    Request = new Bundle.RequestComponent { Method = first ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT, Url = first ? Type : $"{Type}/{plan.Id}" },
                    Response = new Bundle.ResponseComponent
                    {
                        Status = first ? "201 Created" : "200 OK",
                        Etag = $"W/\"{plan.Meta.VersionId}\"",
                        LastModified = plan.Meta.LastUpdated,
                    },
                });
            }

            return FhirJson.Ok(bundle);
        }, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, personId, token) => Record(db, "", personId, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) => PlansOf(db, [personId], token);

    /// <summary>
    /// The current version of every plan of these people: both kinds, in a fixed order (category,
    /// like every token, is matched on the resources).
    /// </summary>
    private static async Task<List<Resource>> PlansOf(AftercareDbContext db, IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        var plans = new List<Resource>();
        foreach (var plan in await db.CarePlans.AsNoTracking().Include(x => x.Revisions).Where(x => people.Contains(x.PersonId)).OrderBy(x => x.PersonId).ThenBy(x => x.Id).ToListAsync(ct))
        {
            plans.Add(ToCarePlan(plan.Id, plan.PersonId, plan.Revisions.MaxBy(r => r.Version)!));
        }

        foreach (var plan in await db.SafetyPlans.AsNoTracking().Include(x => x.Revisions).Where(x => people.Contains(x.PersonId)).OrderBy(x => x.PersonId).ThenBy(x => x.Id).ToListAsync(ct))
        {
            plans.Add(ToSafetyPlan(plan.Id, plan.PersonId, plan.Revisions.MaxBy(r => r.Version)!));
        }

        return plans;
    }

    /// <summary>The plans of the people on a Patient search's page (<c>_revinclude=CarePlan:subject</c>).</summary>
    public static Task<List<Resource>> OfPeople(IncludeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PlansOf(request.Db, FhirIncludes.IdsOf(request.Matches), request.Ct);
    }

    private static Guid PersonOf(CarePlan plan) => Guid.Parse(plan.Subject!.Reference!["Patient/".Length..]);

    /// <summary>Every version of a care plan or safety plan, newest first; empty when there is no such plan.</summary>
    private static async Task<List<CarePlan>> Versions(AftercareDbContext db, string id, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return [];
        }

        var care = await db.CarePlans.AsNoTracking().Include(x => x.Revisions).FirstOrDefaultAsync(x => x.Id == g, ct);
        if (care is not null)
        {
            return [.. care.Revisions.OrderByDescending(r => r.Version).Select(r => ToCarePlan(care.Id, care.PersonId, r))];
        }

        var safety = await db.SafetyPlans.AsNoTracking().Include(x => x.Revisions).FirstOrDefaultAsync(x => x.Id == g, ct);
        return safety is null ? [] : [.. safety.Revisions.OrderByDescending(r => r.Version).Select(r => ToSafetyPlan(safety.Id, safety.PersonId, r))];
    }

    public static async Task<IResult> Create(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var read = await ReadPlan(context, db, clock, ct);
        if (read.Refusal is { } refused)
        {
            return refused;
        }

        return await Save(context, db, clock, read.Write!, null, 0, ct);
    }

    public static async Task<IResult> Update(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var existing = Guid.TryParse(id, out var g) ? await db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        if (existing is null)
        {
            // Need-to-know comes before anything else is said about the plan: outside the record,
            // a care plan (405) and no plan (404) must read the same (issue 17).
            if (await db.CarePlans.AsNoTracking().Where(p => p.Id == g).Select(p => (Guid?)p.PersonId).FirstOrDefaultAsync(ct) is not { } owner)
            {
                return Outcomes.NotFound("CarePlan", id);
            }

            if (await FhirAccess.CheckAsync(db, clock, context, [owner], AuditPurpose.DirectCare, ct) is { Refused: true } outside)
            {
                return await FhirAccess.RefuseAsync(context, db, clock, outside, ct);
            }

            return Outcomes.NotAllowed("Care plans are agreed with the person on their page; only safety plans are updated through FHIR.");
        }

        // Before If-Match: a 412 names the current version, which only the care team may learn.
        if (await FhirAccess.CheckAsync(db, clock, context, [existing.PersonId], AuditPurpose.DirectCare, ct) is { Refused: true } refusedAccess)
        {
            return await FhirAccess.RefuseAsync(context, db, clock, refusedAccess, ct);
        }

        if (IfMatch(context) is not { } basedOn)
        {
            return Outcomes.PreconditionFailed(
                $"Send If-Match: W/\"{existing.Version}\" with the version you read, so that nobody's changes are overwritten.");
        }

        var read = await ReadPlan(context, db, clock, ct, id);
        if (read.Refusal is { } refused)
        {
            return refused;
        }

        if (read.Write!.PersonId != existing.PersonId)
        {
            return Outcomes.Refused("A safety plan cannot be moved to another person.", "CarePlan.subject");
        }

        return await Save(context, db, clock, read.Write, existing.Id, basedOn, ct);
    }

    /// <summary>The body as a safety plan to save; on update (<paramref name="urlId"/>), an id in the body must be the one in the URL.</summary>
    private static async Task<(SafetyPlanWrite? Write, IResult? Refusal)> ReadPlan(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct, string? urlId = null)
    {
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct), context);
        if (!parsed.IsSuccess)
        {
            return (null, Outcomes.Unreadable(parsed.Errors));
        }

        if (RiskRule.Refusal(parsed.Value) is { } risk)
        {
            return (null, await FhirAccess.AnswerAsync(context, db, clock, AuditAction.FhirRefused, [], "risk label refused", () => risk, ct));
        }

        if (parsed.Value is not Hl7.Fhir.Model.CarePlan plan)
        {
            return (null, Outcomes.BadRequest($"The body is a {parsed.Value.TypeName}, not a CarePlan."));
        }

        if (urlId is not null && !string.IsNullOrEmpty(plan.Id) && plan.Id != urlId)
        {
            return (null, Outcomes.BadRequest($"The body's id ({plan.Id}) is not the id in the URL ({urlId}). Nothing was saved."));
        }

        var write = FromSafetyPlan(plan);
        return write.IsSuccess ? (write.Value, null) : (null, Outcomes.From(write.Errors));
    }

    private static async Task<IResult> Save(HttpContext context, AftercareDbContext db, TimeProvider clock, SafetyPlanWrite write, Guid? planId, int basedOn, CancellationToken ct)
    {
        if (await db.People.AnyAsync(p => p.Id == write.PersonId, ct))
        {
            var access = await FhirAccess.CheckAsync(db, clock, context, [write.PersonId], AuditPurpose.DirectCare, ct);
            if (access.Refused)
            {
                return await FhirAccess.RefuseAsync(context, db, clock, access, ct);
            }

            if (access.BrokeGlass.Count > 0)
            {
                db.Audit(clock, context.User.ToActor(), AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, write.PersonId, "fhir write CarePlan");
            }
        }

        var outcome = await SaveSafetyPlan.Handle(db, clock, context.User.ToActor(),
            new SaveSafetyPlan.Command(write.PersonId, planId, basedOn, write.Content, write.Complete, write.AmendmentReason), ct);
        switch (outcome)
        {
            case Saved<SafetyPlanContent> saved:
                var plan = await db.SafetyPlans.AsNoTracking().Include(p => p.Revisions).FirstAsync(p => p.Id == saved.Id, ct);
                var resource = ToSafetyPlan(plan.Id, plan.PersonId, plan.Revisions.Single(r => r.Version == saved.Version));
                var location = FhirRoutes.FullUrl(context, Type, plan.Id.ToString(), saved.Version.ToString(CultureInfo.InvariantCulture));
                return FhirJson.Ok(resource, planId is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, location);
            case Stale<SafetyPlanContent> stale:
                return Outcomes.PreconditionFailed(stale.Edit.Message);
            case Invalid<SafetyPlanContent> invalid:
                return Outcomes.From(invalid.Errors);
            default:
                return Outcomes.From([Error.NotFound("CarePlan.subject", $"Patient/{write.PersonId} was not found.")]);
        }
    }

    /// <summary>The version in <c>If-Match: W/"n"</c>, or null when there is none or it is not a version.</summary>
    private static int? IfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return int.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    public static CarePlan ToCarePlan(Guid id, Guid personId, Revision<CarePlanContent> revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var content = revision.Content;
        var plan = Base(id, personId, revision.Version, revision.SavedAt, revision.Status, "Care plan and risk-management plan");
        plan.Category.Add(new CodeableConcept(CarePlanCategorySystem, "assess-plan", "Assessment and Plan of Treatment"));
        if (content.AgreedOn is { } agreed)
        {
            plan.Period = new Period { Start = agreed.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), End = content.ReviewBy?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        }

        for (var i = 0; i < content.ShortTermGoals.Count; i++)
        {
            var goal = content.ShortTermGoals[i];
            var contained = new Goal
            {
                Id = $"goal-{i}",
                LifecycleStatus = Goal.GoalLifecycleStatus.Active,
                Description = new CodeableConcept { Text = goal.Goal },
                Subject = new ResourceReference($"Patient/{personId}"),
            };
            contained.Note.Add(new Annotation { Text = $"Steps: {goal.Steps}" });
            plan.Contained.Add(contained);
            plan.Goal.Add(new ResourceReference($"#goal-{i}"));
        }

        foreach (var part in DocumentText.Parts(content))
        {
            plan.Note.Add(new Annotation { Text = $"{part.Heading}: {part.Text}" });
        }

        return plan;
    }
    public static CarePlan ToSafetyPlan(Guid id, Guid personId, Revision<SafetyPlanContent> revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var plan = Base(id, personId, revision.Version, revision.SavedAt, revision.Status, "Safety plan");
        plan.Meta!.Profile = [SafetyPlanProfile];
        plan.Category.Add(new CodeableConcept(FhirSystems.LoincSystem, SafetyPlanLoinc, "Suicide prevention safety plan"));
        if (SafetyPlan.IsByThePerson(revision.SavedBy))
        {
            // Issue 14: a revision the person wrote in their own words is theirs; history and vread say so.
            plan.Author = new ResourceReference($"Patient/{personId}");
        }

        foreach (var section in SafetyPlanSections.All)
        {
            plan.Activity.Add(new CarePlan.ActivityComponent
            {
                Detail = new CarePlan.DetailComponent
                {
                    Status = CarePlan.CarePlanActivityStatus.NotStarted,
                    Code = new CodeableConcept(SectionSystem, SectionCode(section), section.Title(), section.Title()),
                    // R4 has no empty strings: a section not yet written has no description.
                    Description = string.IsNullOrEmpty(revision.Content.Text(section)) ? null : revision.Content.Text(section),
                },
            });
        }

        return plan;
    }
    /// <summary>What a FHIR CarePlan asks to save as a safety plan.</summary>
    public sealed record SafetyPlanWrite(Guid PersonId, SafetyPlanContent Content, bool Complete, string? AmendmentReason);
    /// <summary>A section's code in CodeSystem/safety-plan-section.</summary>
    public static string SectionCode(SafetyPlanSection section) =>
        System.Text.RegularExpressions.Regex.Replace(section.ToString(), "(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-").ToLowerInvariant();

    /// <summary>
    /// The section an activity is: by its code in CodeSystem/safety-plan-section when it has one
    /// (the code is what is read; a title beside it is for people), else by its title, as clients
    /// written before the codes send it. Null when it names no section.
    /// </summary>
    private static SafetyPlanSection? SectionOf(CodeableConcept? code, out string given)
    {
        if (code?.Coding.FirstOrDefault(c => c.System == SectionSystem) is { } coded)
        {
            given = coded.Code ?? "";
            return SafetyPlanSections.All.Where(s => SectionCode(s) == coded.Code).Select(s => (SafetyPlanSection?)s).FirstOrDefault();
        }

        given = code?.Text ?? "";
        var title = code?.Text;
        return SafetyPlanSections.All.Where(s => s.Title() == title).Select(s => (SafetyPlanSection?)s).FirstOrDefault();
    }

    /// <summary>
    /// Reads a safety plan back: one activity per section, found by its code (as written by
    /// <see cref="ToSafetyPlan"/>) or, without one, its title; status active means completed
    /// (agreed), draft a draft. Every problem is named at once.
    /// </summary>
    public static Result<SafetyPlanWrite> FromSafetyPlan(CarePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new Errors();
        errors.AddIf(!plan.Category.Any(c => c.Coding.Any(x => x.System == FhirSystems.LoincSystem && x.Code == SafetyPlanLoinc)),
            "CarePlan.category", $"Only safety plans (category {FhirSystems.LoincSystem}|{SafetyPlanLoinc}) are written through FHIR; care plans are agreed with the person on their page.");
        var subject = plan.Subject?.Reference ?? "";
        var personId = subject.StartsWith("Patient/", StringComparison.Ordinal) && Guid.TryParse(subject["Patient/".Length..], out var g) ? g : Guid.Empty;
        errors.AddIf(personId == Guid.Empty, "CarePlan.subject", "Give the subject as Patient/{id}.");
        errors.AddIf(plan.Status is not (RequestStatus.Active or RequestStatus.Draft), "CarePlan.status", "A safety plan is draft or active (agreed).");
        var sections = new Dictionary<SafetyPlanSection, string>();
        for (var i = 0; i < plan.Activity.Count; i++)
        {
            var coded = plan.Activity[i].Detail?.Code?.Coding.Any(c => c.System == SectionSystem) == true;
            if (SectionOf(plan.Activity[i].Detail?.Code, out var title) is not { } known)
            {
                errors.Add(coded ? $"CarePlan.activity[{i}].detail.code.coding" : $"CarePlan.activity[{i}].detail.code.text", coded
                    ? $"\"{title}\" is not a code of {SectionSystem}. The codes are: {string.Join(", ", SafetyPlanSections.All.Select(SectionCode))}."
                    : $"\"{title}\" is not a safety plan section. Give the section's code ({SectionSystem}), or its title: {string.Join("; ", SafetyPlanSections.All.Select(s => s.Title()))}.");
                continue;
            }

            errors.AddIf(sections.ContainsKey(known), $"CarePlan.activity[{i}]", $"\"{title}\" is given twice.");
            sections[known] = plan.Activity[i].Detail?.Description ?? "";
        }

        if (errors.Any)
        {
            return Result<SafetyPlanWrite>.Failure(errors.List);
        }

        var reason = plan.GetExtensionValue<FhirString>(AmendmentReasonUrl)?.Value;
        return new SafetyPlanWrite(personId, new SafetyPlanContent(sections), plan.Status == RequestStatus.Active, reason);
    }
    private static CarePlan Base(Guid id, Guid personId, int version, DateTimeOffset savedAt, DocumentStatus status, string title) => new()
    {
        Id = id.ToString(),
        Meta = new Meta { VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = savedAt },
        Status = status == DocumentStatus.Completed ? RequestStatus.Active : RequestStatus.Draft,
        Intent = CarePlan.CarePlanIntent.Plan,
        Title = title,
        Subject = new ResourceReference($"Patient/{personId}"),
    };
}

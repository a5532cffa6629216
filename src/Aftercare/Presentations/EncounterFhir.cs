using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Presentations;

/// <summary>
/// A presentation as a FHIR Encounter (finished: it is recorded after the person left the
/// emergency department; entered-in-error once withdrawn), its read, its search by patient, date,
/// status, <c>_sort</c> and the sender's identifier, and what an emergency department writes
/// outside the intake Bundle: a conditional create and the withdrawal of one sent by mistake.
/// </summary>
public static class EncounterFhir
{
    public const string Type = "Encounter";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject, FhirParameter.Date, FhirParameter.Identifier)
    {
        ByPatient = true,
        Sorted = true,
        PatientOr = FhirParameter.Identifier.Name,
        // A presentation's Condition has the presentation's id.
        RevIncludes = [new(ConditionFhir.Type, "encounter", ConditionFhir.Type, r =>
        {
            var ids = FhirIncludes.IdsOf(r.Matches);
            return Presentations(r, q => q.Where(p => ids.Contains(p.Id)), (p, _) => ConditionFhir.ToCondition(p));
        })],
    };

    /// <summary><c>{Type}:encounter</c>: the Encounters the matches' <c>encounter</c> references point at.</summary>
    public static FhirInclude IncludedBy(string type) =>
        new(type, "encounter", Type, r =>
        {
            var ids = FhirIncludes.Referenced(r.Matches, "encounter", Type);
            return Presentations(r, q => q.Where(p => ids.Contains(p.Id)), ToEncounter);
        });

    /// <summary><c>{Type}:subject</c> and <c>{Type}:patient</c> revincluded on Patient: every presentation of the people on the page, as that type.</summary>
    public static IEnumerable<FhirInclude> OfPeople(string type, Func<Presentation, Site, Resource> map) =>
        new[] { FhirParameter.Subject.Name, FhirParameter.Patient.Name }.Select(p => new FhirInclude(type, p, type, r =>
        {
            var people = FhirIncludes.IdsOf(r.Matches);
            return Presentations(r, q => q.Where(x => people.Contains(x.PersonId)), map);
        }));

    /// <summary>Presentations chosen from the database, in order of arrival, as resources.</summary>
    private static async Task<List<Resource>> Presentations(IncludeRequest request, Func<IQueryable<Presentation>, IQueryable<Presentation>> which, Func<Presentation, Site, Resource> map)
    {
        var sites = await request.Db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, request.Ct);
        return [.. (await which(request.Db.Presentations.AsNoTracking()).OrderBy(p => p.ArrivedAt).ThenBy(p => p.Id).ToListAsync(request.Ct)).Select(p => map(p, sites[p.SiteId]))];
    }

    /// <summary>The profile every Encounter the server gives conforms to.</summary>
    public const string Profile = CanonicalUrls.StructureDefinitionBase + "aftercare-encounter";

    /// <summary>Why a presentation was withdrawn as entered in error: a string, on the Encounter or the Condition, sent with the withdrawal and read back.</summary>
    public const string EnteredInErrorReasonUrl = FhirSystems.ExtensionBase + "entered-in-error-reason";

    public const string AlcoholUrl = FhirSystems.ExtensionBase + "alcohol-involved";
    public const string TreatmentUrl = FhirSystems.ExtensionBase + "medical-treatment-needed";
    public const string AssessedUrl = FhirSystems.ExtensionBase + "psychosocial-assessment-time";
    public const string DispositionSystem = CanonicalUrls.CodeSystemBase + "disposition";

    public static CapabilityStatement.ResourceComponent Capability()
    {
        var encounter = Fhir.Capability.Resource(Searched);
        encounter.Interaction.Add(new()
        {
            Code = CapabilityStatement.TypeRestfulInteraction.Create,
            Documentation = "An ED's presentation on its own: an Encounter whose subject is Patient/{id} or Patient?identifier=system|value (someone already known), with its identifier; "
                + "If-None-Exist: identifier=system|value gives the one already received (200) instead of a second (412 if several match). For a new person, use the intake transaction.",
        });
        encounter.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Update, Documentation = WithdrawalDocumentation });
        Writable(encounter, conditionalCreate: true);
        return encounter;
    }

    internal const string WithdrawalDocumentation =
        "Withdrawal only: status entered-in-error (Condition: verificationStatus entered-in-error) with the reason in the extension "
        + "StructureDefinition/entered-in-error-reason on this server (valueString). By id, or conditionally by ?identifier=system|value (one match; none 404, several 412). If-Match is honoured when sent. "
        + "Other changes are refused (422): withdraw and send again. Never deleted.";

    /// <summary>How a presentation's resource is written: versioned (1, then 2 once withdrawn), conditional update by identifier, never created by an update.</summary>
    internal static void Writable(CapabilityStatement.ResourceComponent resource, bool conditionalCreate)
    {
        resource.Versioning = CapabilityStatement.ResourceVersionPolicy.VersionedUpdate;
        resource.ConditionalCreate = conditionalCreate;
        resource.ConditionalUpdate = true;
        resource.UpdateCreate = false;
    }

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await WithSite(db, id, ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, found is { } f ? ToEncounter(f.Presentation, f.Site) : null, found?.Presentation.PersonId, ct, AuditAction.PersonViewed);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        SearchPresentations(context, db, clock, Searched, ToEncounter, ct);

    /// <summary>
    /// <c>POST /fhir/Encounter</c>: a presentation of someone already known, sent on its own (the
    /// intake transaction is for a new person). With <c>If-None-Exist: identifier=system|value</c>,
    /// the presentation that already holds it is the answer (200, nothing created); several is 412.
    /// </summary>
    public static async Task<IResult> Create(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct), context);
        if (!parsed.IsSuccess)
        {
            return Outcomes.Unreadable(parsed.Errors);
        }

        if (RiskRule.Refusal(parsed.Value) is { } risk)
        {
            return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.FhirRefused, [], "RiskAssessment refused", () => risk, ct);
        }

        if (parsed.Value is not Encounter encounter)
        {
            return Outcomes.BadRequest($"The body is a {parsed.Value.TypeName}, not an Encounter.");
        }

        if (context.Request.Headers["If-None-Exist"].ToString() is { Length: > 0 } criteria)
        {
            var matched = await Matching(db, criteria, condition: false, ct);
            if (!matched.IsSuccess)
            {
                return Outcomes.From(matched.Errors);
            }

            if (matched.Value.Count > 1)
            {
                return Outcomes.PreconditionFailed($"If-None-Exist matches {matched.Value.Count} presentations; it must name one (identifier=system|value).");
            }

            if (matched.Value is [var existing])
            {
                var site = await db.Sites.AsNoTracking().FirstAsync(s => s.Id == existing.SiteId, ct);
                return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.PersonViewed, [existing.PersonId], "fhir conditional create Encounter (matched)",
                    () => FhirJson.Ok(ToEncounter(existing, site), StatusCodes.Status200OK, FhirRoutes.FullUrl(context, Type, existing.Id.ToString(), MetaOf(existing).VersionId)), ct);
            }
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = encounter });
        return await Transaction.Register(context, db, clock, bundle, async saved =>
        {
            var presentation = await db.Presentations.AsNoTracking().FirstAsync(p => p.Id == saved.Registered.PresentationId, ct);
            var site = await db.Sites.AsNoTracking().FirstAsync(s => s.Id == presentation.SiteId, ct);
            var created = ToEncounter(presentation, site);
            return FhirJson.Ok(created, StatusCodes.Status201Created, FhirRoutes.FullUrl(context, Type, created.Id, created.Meta!.VersionId));
        }, ct);
    }

    /// <summary>
    /// The presentations a conditional create or update names: <c>identifier=system|value</c> (a comma
    /// is any of), against the Encounter's or the Condition's identifier as the sender gave it.
    /// </summary>
    public static async Task<Result<List<Presentation>>> Matching(AftercareDbContext db, string criteria, bool condition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(criteria);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(criteria.TrimStart('?'));
        var field = condition ? "Condition.identifier" : "Encounter.identifier";
        if (query.Keys.Any(k => k != FhirParameter.Identifier.Name) || !query.TryGetValue(FhirParameter.Identifier.Name, out var given))
        {
            return Result<List<Presentation>>.Failure(field, "A presentation is matched by identifier only: identifier=system|value.");
        }

        var tokens = given.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(FhirToken.Parse).ToList();
        if (tokens.Count == 0 || tokens.Any(t => string.IsNullOrEmpty(t.System) || t.Code.Length == 0))
        {
            return Result<List<Presentation>>.Failure(field, "Name the identifier with its system: identifier=system|value.");
        }

        var values = tokens.Select(t => t.Code).ToList();
        var candidates = await (condition
            ? db.Presentations.AsNoTracking().Where(p => values.Contains(p.ConditionIdentifierValue!))
            : db.Presentations.AsNoTracking().Where(p => values.Contains(p.EncounterIdentifierValue!))).ToListAsync(ct);
        return candidates.Where(p => tokens.Any(t => condition
            ? t.Matches(p.ConditionIdentifierSystem, p.ConditionIdentifierValue)
            : t.Matches(p.EncounterIdentifierSystem, p.EncounterIdentifierValue))).ToList();
    }

    /// <summary><c>PUT /fhir/Encounter/{id}</c>: the withdrawal of a presentation sent by mistake (see <see cref="WithdrawalDocumentation"/>).</summary>
    public static Task<IResult> Update(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        Withdraw(Type, id, context, db, clock, ct);

    /// <summary><c>PUT /fhir/Encounter?identifier=system|value</c>: the same, for the one presentation holding the sender's identifier.</summary>
    public static Task<IResult> ConditionalUpdate(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        Withdraw(Type, null, context, db, clock, ct);

    /// <summary>
    /// An update of a presentation's Encounter or Condition, by id or by identifier: only the
    /// withdrawal as entered in error is taken (with its reason), by a caller who may open the
    /// record; If-Match, when sent, must name the current version. Nothing else changes here.
    /// </summary>
    internal static async Task<IResult> Withdraw(string type, string? id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var condition = type == ConditionFhir.Type;
        Presentation? presentation;
        if (id is not null)
        {
            presentation = Guid.TryParse(id, out var g) ? await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        }
        else
        {
            var matched = await Matching(db, context.Request.QueryString.Value ?? "", condition, ct);
            if (!matched.IsSuccess)
            {
                return Outcomes.From(matched.Errors);
            }

            if (matched.Value.Count > 1)
            {
                return Outcomes.PreconditionFailed($"The criteria match {matched.Value.Count} presentations; a conditional update must name one.");
            }

            presentation = matched.Value.FirstOrDefault();
            if (presentation is null)
            {
                return Outcomes.Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound,
                    $"No {type} holds that identifier. An update never creates one here (updateCreate is false): send it with POST /fhir/Encounter and If-None-Exist, or in the intake transaction.");
            }
        }

        if (presentation is null)
        {
            return Outcomes.NotFound(type, id!);
        }

        // Need-to-know before anything is said about it, its version included (issue 17).
        var access = await FhirAccess.CheckAsync(db, clock, context, [presentation.PersonId], AuditPurpose.DirectCare, ct);
        if (access.Refused)
        {
            return await FhirAccess.RefuseAsync(context, db, clock, access, ct);
        }

        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct), context);
        if (!parsed.IsSuccess)
        {
            return Outcomes.Unreadable(parsed.Errors);
        }

        if (parsed.Value.TypeName != type || parsed.Value is not DomainResource body)
        {
            return Outcomes.BadRequest($"The body is a {parsed.Value.TypeName}, not a {type}.");
        }

        if (!string.IsNullOrEmpty(body.Id) && body.Id != presentation.Id.ToString())
        {
            return Outcomes.BadRequest($"The body's id ({body.Id}) is not the id of the {type} updated ({presentation.Id}). Nothing was saved.");
        }

        var current = MetaOf(presentation).VersionId;
        if (context.Request.Headers.IfMatch.ToString().Trim() is { Length: > 0 } ifMatch && ifMatch.Replace("W/", "", StringComparison.Ordinal).Trim('"') != current)
        {
            return Outcomes.PreconditionFailed($"If-Match names another version: this {type} is at version {current} (W/\"{current}\"). Read it again.");
        }

        var withdrawing = body switch
        {
            Encounter e => e.Status == Encounter.EncounterStatus.EnteredInError,
            Condition c => c.VerificationStatus?.Coding.Any(x => x.Code == "entered-in-error") == true,
            _ => false,
        };
        if (!withdrawing)
        {
            return Outcomes.From([Error.Refused(presentation.IsEnteredInError
                ? "This presentation was withdrawn as entered in error; it is not reinstated or changed. Send it again if it was right."
                : $"Only a withdrawal is taken as an update: {(condition ? "verificationStatus" : "status")} entered-in-error with the reason in the extension {CanonicalUrls.Public(EnteredInErrorReasonUrl, CanonicalUrls.PublicBase(context))}. "
                  + "To correct a presentation, withdraw it and send it again. Nothing was saved.", condition ? "Condition.verificationStatus" : "Encounter.status")]);
        }

        if (access.BrokeGlass.Count > 0)
        {
            db.Audit(clock, context.User.ToActor(), AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, presentation.PersonId, $"fhir withdraw {type}");
        }

        var reason = (body.GetExtension(EnteredInErrorReasonUrl)?.Value as FhirString)?.Value;
        var withdrawn = await WithdrawPresentation.Handle(db, clock, context.User.ToActor(), presentation.Id, reason, ct);
        if (!withdrawn.IsSuccess)
        {
            return Outcomes.From([.. withdrawn.Errors.Select(e => e.Field == "reason" ? e with { Field = $"{type}.extension('{CanonicalUrls.Public(EnteredInErrorReasonUrl, CanonicalUrls.PublicBase(context))}')" } : e)]);
        }

        var site = await db.Sites.AsNoTracking().FirstAsync(s => s.Id == withdrawn.Value.SiteId, ct);
        Resource resource = condition ? ConditionFhir.ToCondition(withdrawn.Value) : ToEncounter(withdrawn.Value, site);
        return FhirJson.Ok(resource, StatusCodes.Status200OK, FhirRoutes.FullUrl(context, type, resource.Id, resource.Meta!.VersionId));
    }

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

        IQueryable<Presentation> query;
        if (search.Patient is { } personId)
        {
            if (await FhirAccess.CheckAsync(db, clock, context, [personId], AuditPurpose.DirectCare, ct) is { Refused: true } refused)
            {
                return await FhirAccess.RefuseAsync(context, db, clock, refused, ct);
            }

            query = db.Presentations.AsNoTracking().Where(x => x.PersonId == personId);
        }
        else
        {
            // By the sender's identifier alone (an ED finding what it sent): within the records the caller may open.
            query = db.Presentations.AsNoTracking();
            if (FhirAccess.OpenAmong(context, db, clock, db.People) is { } open)
            {
                query = query.Where(x => open.Any(s => s.Person.Id == x.PersonId));
            }
        }

        // Arrival and identifiers are filtered in the database; status, exact tokens and _lastUpdated on the resources.
        query = Identified(search.Dated(query, "date", x => x.ArrivedAt), search, declared.Type == ConditionFhir.Type);
        query = search.Sort == "date" ? query.OrderBy(x => x.ArrivedAt).ThenBy(x => x.Id) : query.OrderByDescending(x => x.ArrivedAt).ThenByDescending(x => x.Id);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, ct);
        var presentations = await query.ToListAsync(ct);
        var found = presentations.Select(x => (Person: x.PersonId, Resource: map(x, sites[x.SiteId]))).Where(x => search.Keeps(x.Resource)).ToList();
        var page = await FhirIncludes.AddAsync(context, db, clock, search, search.Page([.. found.Select(x => x.Resource)]), ct);
        var shown = page.Entry.Where(e => e.Search?.Mode != Bundle.SearchEntryMode.Include).Select(e => found.First(f => f.Resource.Id == e.Resource!.Id).Person).Distinct().ToList();
        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.PersonViewed, shown, $"fhir search {declared.Type}", () => FhirJson.Ok(page), ct);
    }

    /// <summary>
    /// <c>identifier</c> in the database: each time it is given (all of), any of its values (a
    /// value, or every value of a <c>system|</c>), against the Encounter's or the Condition's
    /// identifier; the exact system|value is then matched on the resources.
    /// </summary>
    private static IQueryable<Presentation> Identified(IQueryable<Presentation> query, FhirSearch search, bool condition)
    {
        foreach (var anyOf in search.Tokens(FhirParameter.Identifier.Name))
        {
            var values = anyOf.Where(t => t.Code.Length > 0).Select(t => t.Code).ToList();
            var systems = anyOf.Where(t => t.Code.Length == 0 && t.System is { Length: > 0 }).Select(t => t.System!).ToList();
            query = condition
                ? query.Where(x => values.Contains(x.ConditionIdentifierValue!) || systems.Contains(x.ConditionIdentifierSystem!))
                : query.Where(x => values.Contains(x.EncounterIdentifierValue!) || systems.Contains(x.EncounterIdentifierSystem!));
        }

        return query;
    }

    /// <summary>The person's presentations, each with its site, mapped: what <c>$export</c> writes as Encounters and Conditions.</summary>
    internal static async Task<List<Resource>> RecordOf(AftercareDbContext db, Guid personId, Func<Presentation, Site, Resource> map, CancellationToken ct)
    {
        var presentations = await db.Presentations.AsNoTracking().Where(x => x.PersonId == personId).OrderBy(x => x.ArrivedAt).ThenBy(x => x.Id).ToListAsync(ct);
        var sites = presentations.Count == 0 ? [] : await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, ct);
        return [.. presentations.Select(x => map(x, sites[x.SiteId]))];
    }

    /// <summary>The person's Encounters, as <c>$export</c> writes them.</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken ct) => RecordOf(db, personId, ToEncounter, ct);

    public static Encounter ToEncounter(Presentation presentation, Site site)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        ArgumentNullException.ThrowIfNull(site);
        var encounter = new Encounter
        {
            Id = presentation.Id.ToString(),
            Meta = MetaOf(presentation, Profile),
            Status = presentation.IsEnteredInError ? Encounter.EncounterStatus.EnteredInError : Encounter.EncounterStatus.Finished,
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

        if (presentation.EncounterIdentifierSystem is { } system)
        {
            encounter.Identifier.Add(new Identifier(system, presentation.EncounterIdentifierValue));
        }

        AddWithdrawal(encounter, presentation);
        return encounter;
    }

    /// <summary>Version 1 as recorded; version 2 once withdrawn (the only change a presentation takes here).</summary>
    /// <summary>Version 1 as recorded, 2 once withdrawn; with the profile the resource conforms to, when given.</summary>
    internal static Meta MetaOf(Presentation presentation, string? profile = null)
    {
        var meta = presentation.EnteredInErrorAt is { } withdrawn
            ? new Meta { VersionId = "2", LastUpdated = withdrawn }
            : new Meta { VersionId = "1", LastUpdated = presentation.RecordedAt };
        if (profile is not null)
        {
            meta.Profile = [profile];
        }

        return meta;
    }

    internal static void AddWithdrawal(DomainResource resource, Presentation presentation)
    {
        if (presentation.EnteredInErrorReason is { } reason)
        {
            resource.Extension.Add(new Extension(EnteredInErrorReasonUrl, new FhirString(reason)));
        }
    }
}

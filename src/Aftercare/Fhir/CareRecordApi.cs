using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Aftercare.Smart;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Fhir;

/// <summary>
/// The rest of the care record as read-only FHIR resources (Goal, Task, Appointment,
/// CommunicationRequest, Communication, Consent, DocumentReference, AuditEvent, Practitioner,
/// Organization). Each is listed in the CapabilityStatement only once it works. Reads and searches
/// of a person's data are audited as the first resources are: once per person returned.
/// </summary>
public static class CareRecordApi
{
    private static readonly string[] AuditParams = ["patient", "date", "_lastUpdated", "_count", "_offset"];
    private static readonly string[] PractitionerParams = ["name", "_lastUpdated", "_count", "_offset"];
    private static readonly string[] OrganizationParams = ["identifier", "_lastUpdated", "_count", "_offset"];

    public static RouteGroupBuilder MapCareRecord(this RouteGroupBuilder read)
    {
        read.MapGet("/Goal/{id}", ReadGoal);
        read.MapGet("/Goal", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "Goal", (person, token) => Goals(db, person, null, token), g => g, ct));
        read.MapGet("/Task/{id}", ReadTask);
        read.MapGet("/Task", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "Task", (person, token) => Tasks(db, person, null, token), r => r, ct));
        read.MapGet("/Appointment/{id}", ReadAppointment);
        read.MapGet("/Appointment", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "Appointment",
            (person, token) => db.Contacts.AsNoTracking().Where(x => x.PersonId == person).OrderBy(x => x.OriginallyDueAt).ThenBy(x => x.Id).ToListAsync(token),
            x => (Resource)CareRecordMapping.ToAppointment(x), ct));
        read.MapGet("/CommunicationRequest/{id}", (string id, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadMessage(id, false, c, db, t, ct));
        read.MapGet("/CommunicationRequest", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "CommunicationRequest",
            (person, token) => Messages(db, person, false, token), m => (Resource)CareRecordMapping.ToCommunicationRequest(m), ct));
        read.MapGet("/Communication/{id}", (string id, HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => ReadMessage(id, true, c, db, t, ct));
        read.MapGet("/Communication", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "Communication",
            (person, token) => Messages(db, person, true, token), m => (Resource)CareRecordMapping.ToCommunication(m), ct));
        read.MapGet("/Consent/{id}", ReadConsent);
        read.MapGet("/Consent", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "Consent", (person, token) => Consents(db, person, token), r => r, ct));
        read.MapGet("/DocumentReference/{id}", ReadDocument);
        read.MapGet("/DocumentReference", (HttpContext c, AftercareDbContext db, TimeProvider t, CancellationToken ct) => FhirApi.SearchByPatient(c, db, t, "DocumentReference",
            (person, token) => Documents(db, BaseUrl(c), person, null, token), r => r, ct));
        read.MapGet("/Practitioner/{id}", ReadPractitioner);
        read.MapGet("/Practitioner", SearchPractitioners);
        read.MapGet("/Organization/{id}", ReadOrganization);
        read.MapGet("/Organization", SearchOrganizations);
        return read;
    }

    /// <summary>
    /// The audit trail, for administrators only, as on the audit page: its own group, because the
    /// read group admits direct-care roles only. A token still needs the read scope.
    /// </summary>
    public static RouteGroupBuilder MapAuditTrail(this RouteGroupBuilder fhir)
    {
        var audit = fhir.MapGroup("").RequireAuthorization(p => p.AddAuthenticationSchemes(SmartSetup.Schemes).RequireAuthenticatedUser()
            .RequireAssertion(c => SmartSetup.ScopeAllows(c.User, SmartSetup.ReadScopes)));
        audit.MapGet("/AuditEvent/{id}", ReadAuditEvent);
        audit.MapGet("/AuditEvent", SearchAuditEvents);
        return audit;
    }

    public static void Describe(CapabilityStatement.RestComponent rest)
    {
        ArgumentNullException.ThrowIfNull(rest);
        (string Name, SearchParamType Type)[] patientAndSubject = [("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference)];
        (string Name, SearchParamType Type)[] patient = [("patient", SearchParamType.Reference)];
        Add("Goal", patientAndSubject, "A care plan's aims, short-term goals (with steps) and long-term goals; id {carePlan}-aim-n, -goal-n, -long-term.");
        Add("Task", patient, "Confirming a warm handoff: in progress until the person attended, declined or was not reached; focus is the ServiceRequest.");
        Add("Appointment", patient, "Scheduled aftercare contacts: booked, fulfilled or cancelled.");
        Add("CommunicationRequest", patientAndSubject, "Caring messages and invitations in the outbox, without their words or address.");
        Add("Communication", patientAndSubject, "Caring messages sent (completed) or given up on (not-done), without their words or address.");
        Add("Consent", patient, "Consent to share with the GP and to involve family or carers (from the assessment), and to receive caring messages.");
        Add("DocumentReference", patientAndSubject, "Letters to the GP as sent, and the person's copy of their safety plan; attachments link to the page and PDF.");
        Add("AuditEvent", [("patient", SearchParamType.Reference), ("date", SearchParamType.Date)], "Administrators only (403 for other roles); reading the audit is audited.");
        Add("Practitioner", [("name", SearchParamType.String)], "Staff who sign in: id and name only.");
        Add("Organization", [("identifier", SearchParamType.Token)], "Sites where people present (identifier urn:aftercare:site).");

        void Add(string type, (string Name, SearchParamType Type)[] parameters, string documentation)
        {
            var resource = Capability.Resource(type, parameters);
            resource.Documentation = documentation;
            rest.Resource.Add(resource);
        }
    }

    public static async Task<IResult> ReadGoal(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var plan = id.Length > 36 && Guid.TryParse(id[..36], out var g) ? await db.CarePlans.AsNoTracking().Select(p => new { p.Id, p.PersonId }).FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        var goal = plan is null ? null : (await Goals(db, plan.PersonId, plan.Id, ct)).FirstOrDefault(x => x.Id == id);
        return await Found(context, db, clock, "Goal", id, goal, plan?.PersonId, ct);
    }

    public static async Task<IResult> ReadTask(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var person = Guid.TryParse(id, out var g) ? await db.Referrals.AsNoTracking().Where(r => r.Id == g).Select(r => (Guid?)r.PersonId).FirstOrDefaultAsync(ct) : null;
        var task = person is { } p ? (await Tasks(db, p, g, ct)).SingleOrDefault() : null;
        return await Found(context, db, clock, "Task", id, task, person, ct);
    }

    public static async Task<IResult> ReadAppointment(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var contact = Guid.TryParse(id, out var g) ? await db.Contacts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == g, ct) : null;
        return await Found(context, db, clock, "Appointment", id, contact is null ? null : CareRecordMapping.ToAppointment(contact), contact?.PersonId, ct);
    }

    /// <summary>Every outbox message is a CommunicationRequest; only those the outbox finished sending (or gave up on) are a Communication.</summary>
    public static async Task<IResult> ReadMessage(string id, bool communication, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var message = Guid.TryParse(id, out var g) ? await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == g, ct) : null;
        Resource? resource = message is null ? null
            : !communication ? CareRecordMapping.ToCommunicationRequest(message)
            : message.Status is MessageStatus.Sent or MessageStatus.Failed ? CareRecordMapping.ToCommunication(message) : null;
        return await Found(context, db, clock, communication ? "Communication" : "CommunicationRequest", id, resource, message?.PersonId, ct);
    }

    public static async Task<IResult> ReadConsent(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        Guid? person = null;
        if (id.Length > 36 && Guid.TryParse(id[..36], out var g))
        {
            person = id.EndsWith("-messages", StringComparison.Ordinal)
                ? await db.MessagePreferences.AsNoTracking().Where(p => p.PersonId == g).Select(p => (Guid?)p.PersonId).FirstOrDefaultAsync(ct)
                : await db.Assessments.AsNoTracking().Where(a => a.Id == g).Select(a => (Guid?)a.PersonId).FirstOrDefaultAsync(ct);
        }

        var consent = person is { } p ? (await Consents(db, p, ct)).FirstOrDefault(c => c.Id == id) : null;
        return await Found(context, db, clock, "Consent", id, consent, person, ct);
    }

    public static async Task<IResult> ReadDocument(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var person = !Guid.TryParse(id, out var g) ? null
            : await db.Shares.AsNoTracking().Where(s => s.Id == g).Select(s => (Guid?)s.PersonId).FirstOrDefaultAsync(ct)
              ?? await db.SafetyPlans.AsNoTracking().Where(s => s.Id == g).Select(s => (Guid?)s.PersonId).FirstOrDefaultAsync(ct);
        var document = person is { } p ? (await Documents(db, BaseUrl(context), p, g, ct)).SingleOrDefault() : null;
        return await Found(context, db, clock, "DocumentReference", id, document, person, ct);
    }

    /// <summary>Staff are not patient data: read and searched without a patient, and not audited, as the services directory.</summary>
    public static async Task<IResult> ReadPractitioner(string id, AftercareDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? Outcomes.NotFound("Practitioner", id) : FhirJson.Ok(CareRecordMapping.ToPractitioner(user));
    }

    public static async Task<IResult> SearchPractitioners(HttpContext context, AftercareDbContext db, CancellationToken ct)
    {
        if (FhirApi.Unknown(context, PractitionerParams) is { } refused)
        {
            return refused;
        }

        var users = db.Users.AsNoTracking();
        if (context.Request.Query["name"].ToString() is { Length: > 0 } name)
        {
            var lower = name.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on SQLite and PostgreSQL; the StringComparison overload does not.
            users = users.Where(u => u.DisplayName.ToLower().Contains(lower));
#pragma warning restore CA1862
        }

        return await Listed(context, users.OrderBy(u => u.DisplayName).ThenBy(u => u.Id), CareRecordMapping.ToPractitioner, ct);
    }

    public static async Task<IResult> ReadOrganization(string id, AftercareDbContext db, CancellationToken ct)
    {
        var site = Guid.TryParse(id, out var g) ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;
        return site is null ? Outcomes.NotFound("Organization", id) : FhirJson.Ok(CareRecordMapping.ToOrganization(site));
    }

    public static async Task<IResult> SearchOrganizations(HttpContext context, AftercareDbContext db, CancellationToken ct)
    {
        if (FhirApi.Unknown(context, OrganizationParams) is { } refused)
        {
            return refused;
        }

        var sites = db.Sites.AsNoTracking();
        if (context.Request.Query["identifier"].ToString() is { Length: > 0 } identifier)
        {
            var parts = identifier.Split('|', 2);
            if (parts.Length == 2 && parts[0] != PresentationMapping.SiteSystem)
            {
                return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, $"Sites are identified in {PresentationMapping.SiteSystem}.", "identifier");
            }

            var code = parts[^1];
            sites = sites.Where(s => s.Code == code);
        }

        return await Listed(context, sites.OrderBy(s => s.Code), CareRecordMapping.ToOrganization, ct);
    }

    public static async Task<IResult> ReadAuditEvent(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await AdministratorsOnly(context, db, clock, ct) is { } refused)
        {
            return refused;
        }

        var audit = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? await db.AuditEvents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == n, ct) : null;
        if (audit is null)
        {
            return Outcomes.NotFound("AuditEvent", id);
        }

        await FhirApi.Audit(db, clock, context, AuditAction.AuditSearched, audit.PersonId is { } p ? [p] : [], "fhir read AuditEvent", ct, AuditPurpose.Administration);
        return FhirJson.Ok(CareRecordMapping.ToAuditEvent(audit));
    }

    /// <summary>The audit by person and period, newest first, as the audit page searches it; searching is itself audited.</summary>
    public static async Task<IResult> SearchAuditEvents(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await AdministratorsOnly(context, db, clock, ct) is { } refused)
        {
            return refused;
        }

        if (FhirApi.Unknown(context, AuditParams) is { } unknown)
        {
            return unknown;
        }

        var events = db.AuditEvents.AsNoTracking();
        var people = new List<Guid>();
        if (context.Request.Query["patient"].ToString() is { Length: > 0 } patient)
        {
            if (!Guid.TryParse(patient.Replace("Patient/", "", StringComparison.Ordinal), out var personId))
            {
                return Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Value, "patient is Patient/id.", "patient");
            }

            // As on the audit page: looking at someone's audit is recorded against them, found or not.
            people.Add(personId);
            events = events.Where(e => e.PersonId == personId);
        }

        // An audit event is written once: its time is both when it happened and when it was last updated.
        foreach (var parameter in new[] { "date", "_lastUpdated" })
        {
            foreach (var value in context.Request.Query[parameter])
            {
                if (FhirApi.DateFilter(value) is not { } filter)
                {
                    return FhirApi.BadDate(parameter, value);
                }

                events = FhirApi.WhereDate(events, e => e.At, filter);
            }
        }

        var (count, offset) = FhirApi.Paging(context);
        var total = await events.CountAsync(ct);
        var page = await events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Skip(offset).Take(count).ToListAsync(ct);
        people.AddRange(page.Where(e => e.PersonId is not null).Select(e => e.PersonId!.Value));
        await FhirApi.Audit(db, clock, context, AuditAction.AuditSearched, people, "fhir search AuditEvent", ct, AuditPurpose.Administration);
        return FhirJson.Ok(FhirApi.SearchSet(context, total, offset, count, page.Select(CareRecordMapping.ToAuditEvent)));
    }

    /// <summary>The audit is searched by administrators only (as /audit); anyone else is told so, and the refusal is audited.</summary>
    private static async Task<IResult?> AdministratorsOnly(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (context.User.IsInRole(Roles.Administrator))
        {
            return null;
        }

        var what = $"GET {context.Request.Path}";
        db.Audit(clock, context.User.ToActor(), AuditAction.FhirRefused, AuditPurpose.Security, null, what);
        await db.SaveChangesAsync(ct);
        return Outcomes.Fail(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden, "The audit trail is read by administrators only.");
    }

    /// <summary>One page of a short list that is not patient data (staff, sites), filtered by <c>_lastUpdated</c> once mapped.</summary>
    private static async Task<IResult> Listed<T>(HttpContext context, IOrderedQueryable<T> query, Func<T, Resource> map, CancellationToken ct)
    {
        var updated = FhirApi.LastUpdated(context);
        if (!updated.IsSuccess)
        {
            return Outcomes.Invalid(updated.Errors, StatusCodes.Status400BadRequest);
        }

        var all = (await query.ToListAsync(ct)).Select(map).Where(r => updated.Value(r.Meta?.LastUpdated)).ToList();
        var (count, offset) = FhirApi.Paging(context);
        return FhirJson.Ok(FhirApi.SearchSet(context, all.Count, offset, count, all.Skip(offset).Take(count)));
    }

    /// <summary>A read of one resource of a person's record: 404 when there is none, otherwise audited for that person.</summary>
    private static async Task<IResult> Found(HttpContext context, AftercareDbContext db, TimeProvider clock, string type, string id, Resource? resource, Guid? personId, CancellationToken ct)
    {
        if (resource is null || personId is not { } person)
        {
            return Outcomes.NotFound(type, id);
        }

        await FhirApi.Audit(db, clock, context, AuditAction.DocumentViewed, [person], $"fhir read {type}", ct);
        return FhirJson.Ok(resource);
    }

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    /// <summary>The goals of the person's care plans (or of one plan), each plan at its current version.</summary>
    private static async Task<List<Resource>> Goals(AftercareDbContext db, Guid personId, Guid? planId, CancellationToken ct)
    {
        var plans = await db.CarePlans.AsNoTracking().Where(p => p.PersonId == personId && (planId == null || p.Id == planId)).OrderByDescending(p => p.Id).ToListAsync(ct);
        var assessed = plans.Select(p => p.AssessmentId).ToList();
        var presentations = await db.Assessments.AsNoTracking().Where(a => assessed.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.PresentationId, ct);
        return [.. plans.SelectMany(p => CareRecordMapping.ToGoals(p, presentations[p.AssessmentId]))];
    }

    private static async Task<List<Resource>> Tasks(AftercareDbContext db, Guid personId, Guid? referralId, CancellationToken ct)
    {
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.PersonId == personId && (referralId == null || r.Id == referralId)).OrderByDescending(r => r.Id).ToListAsync(ct);
        var serviceIds = referrals.Select(r => r.ServiceId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        return [.. referrals.Select(r => CareRecordMapping.ToTask(r, services[r.ServiceId]))];
    }

    private static Task<List<OutboxMessage>> Messages(AftercareDbContext db, Guid personId, bool finished, CancellationToken ct) =>
        db.OutboxMessages.AsNoTracking()
            .Where(m => m.PersonId == personId && (!finished || m.Status == MessageStatus.Sent || m.Status == MessageStatus.Failed))
            .OrderBy(m => m.DueAt).ThenBy(m => m.Id).ToListAsync(ct);

    /// <summary>The choices in each completed assessment (the latest one's are active) and the person's message choices.</summary>
    private static async Task<List<Resource>> Consents(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        var assessments = await db.Assessments.AsNoTracking().Where(a => a.PersonId == personId && a.Status == DocumentStatus.Completed).OrderByDescending(a => a.UpdatedAt).ToListAsync(ct);
        var consents = assessments.SelectMany((a, i) => CareRecordMapping.ToConsents(a, current: i == 0)).Cast<Resource>().ToList();
        if (await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct) is { } preferences)
        {
            consents.Add(CareRecordMapping.ToMessageConsent(preferences));
        }

        return consents;
    }

    /// <summary>Letters to the GP, newest first, then the person's completed safety plans (or the one document with that id).</summary>
    private static async Task<List<Resource>> Documents(AftercareDbContext db, string baseUrl, Guid personId, Guid? id, CancellationToken ct)
    {
        var shares = await db.Shares.AsNoTracking().Where(s => s.PersonId == personId && (id == null || s.Id == id)).OrderByDescending(s => s.SharedAt).ToListAsync(ct);
        var plans = await db.SafetyPlans.AsNoTracking().Where(p => p.PersonId == personId && p.Status == DocumentStatus.Completed && (id == null || p.Id == id)).OrderByDescending(p => p.Id).ToListAsync(ct);
        return [.. shares.Select(s => CareRecordMapping.ToDocumentReference(s, baseUrl)), .. plans.Select(p => CareRecordMapping.ToDocumentReference(p, baseUrl))];
    }
}

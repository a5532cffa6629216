using System.Globalization;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Aftercare.Smart;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using DomainAuditEvent = Aftercare.Domain.Audit.AuditEvent;

namespace Aftercare.Audit;

/// <summary>
/// The audit trail as FHIR AuditEvent, for administrators (as on the audit page) and for a backend
/// service granted <c>system/AuditEvent.read</c> by name: its own route group, because the read
/// group admits direct-care roles only. Reading the audit is itself audited, against each person it shows.
/// </summary>
public static class AuditEventFhir
{
    public const string Type = "AuditEvent";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Date);

    public const string AuditActionSystem = "urn:aftercare:audit-action";
    private const string DicomSystem = "http://dicom.nema.org/resources/ontology/DCM";

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Administrators, and backend services granted system/AuditEvent.read by name (system/*.read does not reach the audit); 403 for anyone else; reading the audit is audited. Not in $export.");

    /// <summary>Signed in (or a token) with a read scope or the audit's own; who may read it is checked by each handler, so that a refusal is audited.</summary>
    public static void Policy(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.AddAuthenticationSchemes(SmartSetup.Schemes).RequireAuthenticatedUser().RequireAssertion(SmartSetup.ScopesAllow);
    }

    /// <summary>An administrator; or a backend service whose token carries the audit's scope by name.</summary>
    public static bool MayRead(System.Security.Claims.ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return SmartSetup.IsBackendService(user)
            ? SmartSetup.AuditReadScopes.Any(s => OpenIddict.Abstractions.OpenIddictExtensions.HasScope(user, s))
            : user.IsInRole(Roles.Administrator);
    }

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await AdministratorsOnly(context, db, clock, ct) is { } refused)
        {
            return refused;
        }

        var audit = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? await db.AuditEvents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == n, ct) : null;
        if (audit is null)
        {
            return Outcomes.NotFound(Type, id);
        }

        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.AuditSearched, audit.PersonId is { } p ? [p] : [], "fhir read AuditEvent",
            () => FhirJson.Ok(ToAuditEvent(audit)), ct, AuditPurpose.Administration);
    }

    /// <summary>The audit by person and period, newest first, as the audit page searches it; searching is itself audited.</summary>
    public static async Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await AdministratorsOnly(context, db, clock, ct) is { } refused)
        {
            return refused;
        }

        if (!FhirSearch.Read(context, Searched, out var search, out var refusal))
        {
            return refusal!;
        }

        var events = db.AuditEvents.AsNoTracking();
        var people = new List<Guid>();
        if (search.Value("patient") is { Length: > 0 } patient)
        {
            if (FhirSearch.PatientReference(patient) is not { } personId)
            {
                return Outcomes.BadValue("patient is Patient/id.", "patient");
            }

            // As on the audit page: looking at someone's audit is recorded against them, found or not.
            people.Add(personId);
            events = events.Where(e => e.PersonId == personId);
        }

        // An audit event is written once: its time is both when it happened and when it was last updated.
        events = search.Dated(search.Dated(events, "date", e => e.At), "_lastUpdated", e => e.At);
        var total = await events.CountAsync(ct);

        // Newest first by the chain's position, paged by it: reading a page adds events (this search
        // is audited), and they go before the first page, never into the pages still to come.
        if (search.After is { Length: > 0 } after)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return Outcomes.BadValue($"{FhirSearch.AfterParameter} is the key a next link carries.", FhirSearch.AfterParameter);
            }

            events = events.Where(e => e.Sequence < last);
        }

        var page = search.Count == 0 ? new List<DomainAuditEvent>() : await events.OrderByDescending(e => e.Sequence).Take(search.Count + 1).ToListAsync(ct);
        var more = page.Count > search.Count;
        page = [.. page.Take(search.Count)];
        people.AddRange(page.Where(e => e.PersonId is not null).Select(e => e.PersonId!.Value));
        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.AuditSearched, people, "fhir search AuditEvent",
            () => FhirJson.Ok(search.Page(total, page.Select(ToAuditEvent), more ? page[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null)), ct, AuditPurpose.Administration);
    }

    /// <summary>The audit is searched by administrators only (as /audit); anyone else is told so, and the refusal is audited.</summary>
    private static async Task<IResult?> AdministratorsOnly(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (MayRead(context.User))
        {
            return null;
        }

        var what = $"GET {context.Request.Path}";
        db.Audit(clock, context.User.ToActor(), AuditAction.FhirRefused, AuditPurpose.Security, null, what);
        await db.SaveChangesAsync(ct);
        return Outcomes.Forbidden("The audit trail is read by administrators, and by backend services granted system/AuditEvent.read.");
    }

    /// <summary>
    /// An audit event, IHE BALP style: type <c>rest</c> for FHIR interactions, DICOM user
    /// authentication for sign-in and sign-out, DICOM patient record otherwise; the exact action as
    /// a subtype; the user as agent (by id, with their sign-in name as altId, as the audit page
    /// shows it); the person as entity <c>Patient/{id}</c>. The domain event holds ids only, never
    /// names or clinical text, and so does this.
    /// </summary>
    public static Hl7.Fhir.Model.AuditEvent ToAuditEvent(DomainAuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var name = audit.Action.ToString();
        var fhirInteraction = audit.EntityId?.StartsWith("fhir ", StringComparison.Ordinal) == true;
        var resource = new Hl7.Fhir.Model.AuditEvent
        {
            Id = audit.Id.ToString(CultureInfo.InvariantCulture),
            Meta = new Meta { VersionId = "1", LastUpdated = audit.At },
            Type = audit.Action is AuditAction.SignedIn or AuditAction.SignInFailed or AuditAction.SignedOut
                ? new Coding(DicomSystem, "110114", "User Authentication")
                : fhirInteraction ? new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation")
                : new Coding(DicomSystem, "110110", "Patient Record"),
            Action = audit.Action switch
            {
                AuditAction.SignedIn or AuditAction.SignInFailed or AuditAction.SignedOut or AuditAction.FhirRefused or AuditAction.ShareRefused or AuditAction.MedicationRefused
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.E,
                _ when name.EndsWith("Viewed", StringComparison.Ordinal) || name.EndsWith("Searched", StringComparison.Ordinal)
                    || name.EndsWith("Printed", StringComparison.Ordinal) || name.EndsWith("OpenedByLink", StringComparison.Ordinal)
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.R,
                _ when name.EndsWith("Saved", StringComparison.Ordinal) || name.EndsWith("Changed", StringComparison.Ordinal)
                    || name.EndsWith("Updated", StringComparison.Ordinal) || name.EndsWith("Closed", StringComparison.Ordinal)
                    || name.EndsWith("Revoked", StringComparison.Ordinal) || name.EndsWith("OptedOut", StringComparison.Ordinal)
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.U,
                _ => Hl7.Fhir.Model.AuditEvent.AuditEventAction.C,
            },
            Recorded = audit.At,
            Outcome = name.EndsWith("Refused", StringComparison.Ordinal) || audit.Action == AuditAction.SignInFailed
                ? Hl7.Fhir.Model.AuditEvent.AuditEventOutcome.N4
                : Hl7.Fhir.Model.AuditEvent.AuditEventOutcome.N0,
            Source = new Hl7.Fhir.Model.AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "Aftercare" } },
        };
        resource.Subtype.Add(new Coding(AuditActionSystem, name));
        resource.PurposeOfEvent.Add(audit.Purpose switch
        {
            AuditPurpose.DirectCare => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment", audit.Purpose),
            AuditPurpose.Administration => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HOPERAT", "healthcare operations", audit.Purpose),
            _ => new CodeableConcept { Text = audit.Purpose },
        });
        resource.Agent.Add(new Hl7.Fhir.Model.AuditEvent.AgentComponent
        {
            // Staff are Practitioner/{user id}; the system and SMART clients have no Practitioner.
            Who = Guid.TryParse(audit.ActorId, out _) ? new ResourceReference($"Practitioner/{audit.ActorId}") : new ResourceReference { Display = audit.ActorId.Length > 0 ? audit.ActorId : "(not signed in)" },
            AltId = audit.Actor.Length > 0 ? audit.Actor : null,
            Requestor = true,
        });
        if (audit.PersonId is { } person)
        {
            resource.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
            {
                What = new ResourceReference($"Patient/{person}"),
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                Role = new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            });
        }

        if (audit.EntityId is { Length: > 0 } entity)
        {
            resource.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
            {
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                Description = entity,
            });
        }

        return resource;
    }
}

using Aftercare.Account;
using Aftercare.App.Data;
using Aftercare.Assessments;
using Aftercare.Messaging;
using Aftercare.People;
using Aftercare.Plans;
using Aftercare.Presentations;
using Aftercare.Programme;
using Aftercare.Referrals;
using Aftercare.Sharing;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir.Bulk;

/// <summary>One person's resources of one type, as that type's search loads them (and maps them, with the read's own mapping).</summary>
public delegate Task<List<Resource>> RecordLoader(AftercareDbContext db, string appBase, Guid personId, CancellationToken ct);

/// <summary>A type with no person (staff, sites, services): every one of them, as its search lists them.</summary>
public delegate Task<List<Resource>> ListLoader(AftercareDbContext db, IServiceProvider services, CancellationToken ct);

/// <summary>
/// What <c>$export</c> writes, type by type, in this order: each person's record (the patient
/// compartment, for every level), then, for a system-level export only, what is not about a person.
/// Every loader is the one the type's search uses, so an export holds exactly what a backend client
/// finds by searching, in the same JSON as a read. Never RiskAssessment (there is none: rule 1), and
/// never AuditEvent: the audit trail is a security record read under its own scope
/// (<c>system/AuditEvent.read</c>), it grows with every read of it, and a registry has no use for
/// who looked at what; a client that needs it searches it by date.
/// </summary>
public static class ExportedTypes
{
    public static IReadOnlyList<(string Type, RecordLoader Load)> Record { get; } =
    [
        (PatientFhir.Type, async (db, _, person, ct) => await db.People.AsNoTracking().Where(p => p.Id == person).Select(p => p).ToListAsync(ct) is [var found] ? [PatientFhir.ToPatient(found)] : []),
        (EncounterFhir.Type, EncounterFhir.Record),
        (ConditionFhir.Type, ConditionFhir.Record),
        (QuestionnaireResponseFhir.Type, QuestionnaireResponseFhir.Record),
        (CarePlanFhir.Type, CarePlanFhir.Record),
        (GoalFhir.Type, GoalFhir.Record),
        (EpisodeOfCareFhir.Type, EpisodeOfCareFhir.Record),
        (AppointmentFhir.Type, AppointmentFhir.Record),
        (ServiceRequestFhir.Type, ServiceRequestFhir.Record),
        (TaskFhir.Type, TaskFhir.Record),
        (CommunicationFhir.RequestType, CommunicationFhir.RequestRecord),
        (CommunicationFhir.Type, CommunicationFhir.Record),
        (ConsentFhir.Type, ConsentFhir.Record),
        (DocumentReferenceFhir.Type, DocumentReferenceFhir.Record),
    ];

    public static IReadOnlyList<(string Type, ListLoader Load)> Lists { get; } =
    [
        (PractitionerFhir.Type, async (db, _, ct) => [.. (await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ThenBy(u => u.Id).ToListAsync(ct)).Select(PractitionerFhir.ToPractitioner)]),
        (OrganizationFhir.Type, async (db, services, ct) => [.. (await db.Sites.AsNoTracking().OrderBy(s => s.Code).ToListAsync(ct)).Select(s => OrganizationFhir.ToOrganization(s, services.GetRequiredService<App.Sites.SiteTeams>().For(s.Code, s.Name).OdsCode))]),
        (HealthcareServiceFhir.Type, async (db, _, ct) => [.. (await db.Services.AsNoTracking().OrderBy(s => s.Code).ToListAsync(ct)).Select(HealthcareServiceFhir.ToHealthcareService)]),
    ];

    /// <summary>The types an export of this level writes when <c>_type</c> is not given.</summary>
    public static IReadOnlyList<string> For(App.Bulk.BulkExportLevel level) =>
        [.. Record.Select(r => r.Type), .. level == App.Bulk.BulkExportLevel.System ? Lists.Select(l => l.Type) : []];
}

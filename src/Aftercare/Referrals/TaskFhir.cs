using Aftercare.App.Data;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = Hl7.Fhir.Model.Task;

namespace Aftercare.Referrals;

/// <summary>Confirming a warm handoff as a FHIR Task (its focus the ServiceRequest), read and searched by patient.</summary>
public static class TaskFhir
{
    public const string Type = "Task";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true };

    public const string HandoffStatusSystem = "urn:aftercare:handoff-status";

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Confirming a warm handoff: in progress until the person attended, declined or was not reached; focus is the ServiceRequest.");

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var person = Guid.TryParse(id, out var g) ? await db.Referrals.AsNoTracking().Where(r => r.Id == g).Select(r => (Guid?)r.PersonId).FirstOrDefaultAsync(ct) : null;
        var task = person is { } p ? (await Tasks(db, p, g, ct)).SingleOrDefault() : null;
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, task, person, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) => Tasks(db, personId, null, token);

    private static async Task<List<Resource>> Tasks(AftercareDbContext db, Guid personId, Guid? referralId, CancellationToken ct)
    {
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.PersonId == personId && (referralId == null || r.Id == referralId)).OrderByDescending(r => r.Id).ToListAsync(ct);
        var serviceIds = referrals.Select(r => r.ServiceId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        return [.. referrals.Select(r => ToTask(r, services[r.ServiceId]))];
    }

    /// <summary>
    /// The follow-up of a warm handoff (docs/domain.md rule 11): "confirm the person got there". The
    /// referral itself is ServiceRequest/{id}; this Task, with the same id, is in progress until the
    /// loop closes (attended, declined or not reached) and then completed, with the handoff's own
    /// status as <c>businessStatus</c>. <c>restriction.period.end</c> is when the current step is
    /// due; past it the handoff is escalated on the worklist. Step notes are left out: they are
    /// free text and the ServiceRequest already carries what the receiving service needs.
    /// </summary>
    public static Task ToTask(Referral referral, ListedService service)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(service);
        var task = new Task
        {
            Id = referral.Id.ToString(),
            Meta = ServiceRequestFhir.ReferralMeta(referral),
            Status = referral.IsClosed ? Task.TaskStatus.Completed : Task.TaskStatus.InProgress,
            BusinessStatus = new CodeableConcept(HandoffStatusSystem, referral.Status.ToString(), referral.Status.Describe(), referral.Status.Describe()),
            Intent = Task.TaskIntent.Order,
            Description = $"Confirm the person got there: {service.Name} accepted the referral and the person attended, or declined.",
            Focus = new ResourceReference($"ServiceRequest/{referral.Id}"),
            For = new ResourceReference($"Patient/{referral.PersonId}"),
            AuthoredOnElement = new FhirDateTime(referral.SentAt),
            ExecutionPeriod = new Period { StartElement = new FhirDateTime(referral.SentAt), EndElement = referral.LoopClosedAt is { } closed ? new FhirDateTime(closed) : null },
        };
        task.BasedOn.Add(new ResourceReference($"ServiceRequest/{referral.Id}"));
        task.LastModifiedElement = new FhirDateTime(task.Meta.LastUpdated!.Value);
        if (referral.DueBy is { } due)
        {
            task.Restriction = new Task.RestrictionComponent { Period = new Period { EndElement = new FhirDateTime(due) } };
        }

        return task;
    }
}

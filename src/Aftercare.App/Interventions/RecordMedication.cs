using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Interventions;

/// <summary>Medication for an associated condition (docs/domain.md rule 10); a refusal under the guideline is itself audited.</summary>
public static class RecordMedication
{
    public static async Task<Result<Medication>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, MedicationDetails details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return Result<Medication>.Failure(Error.NotFound("personId", "That person was not found."));
        }

        var medication = Medication.Record(personId, details, actor.Email, clock.GetUtcNow());
        if (!medication.IsSuccess)
        {
            // The refusal itself is recorded: someone tried to prescribe for self-harm, and was told why not.
            if (medication.Errors.Any(e => e.Message == Medication.GuidelineReason))
            {
                db.Audit(clock, actor, AuditAction.MedicationRefused, AuditPurpose.DirectCare, personId, "indication");
                await db.SaveChangesAsync(ct);
            }

            return medication;
        }

        db.Medications.Add(medication.Value);
        db.Audit(clock, actor, AuditAction.MedicationRecorded, AuditPurpose.DirectCare, personId, medication.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return medication;
    }
}

using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Interventions;

/// <summary>Psychological therapy courses and medication for associated conditions (docs/domain.md rules 9 and 10).</summary>
public static class InterventionRecords
{
    public static async Task<Result<TherapyCourse>> PlanTherapy(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid personId, TherapyDetails details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(details);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return Result<TherapyCourse>.Failure("personId", "That person was not found.");
        }

        var now = clock.GetUtcNow();
        var age = person.AgeOn(details.StartsOn ?? DateOnly.FromDateTime(now.UtcDateTime));
        var course = TherapyCourse.Plan(personId, details, settings.Sessions, age, actor.Email, now);
        if (!course.IsSuccess)
        {
            return course;
        }

        db.TherapyCourses.Add(course.Value);
        db.Audit(clock, actor, AuditAction.InterventionRecorded, AuditPurpose.DirectCare, personId, course.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return course;
    }

    /// <summary>A session attended, on a course of this person's: the course id comes from a form, so it is checked against the record.</summary>
    public static async Task<Result<TherapyCourse>> RecordSession(AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, Guid personId, Guid courseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var course = await db.TherapyCourses.FirstOrDefaultAsync(c => c.Id == courseId && c.PersonId == personId, ct);
        if (course is null)
        {
            return Result<TherapyCourse>.Failure("", "That course of therapy was not found in this person's record.");
        }

        var attended = course.RecordSessionAttended(DateOnly.FromDateTime(time.ToLocal(clock.GetUtcNow())));
        if (!attended.IsSuccess)
        {
            return attended;
        }

        db.Audit(clock, actor, AuditAction.InterventionRecorded, AuditPurpose.DirectCare, course.PersonId, $"{course.Id} session {course.SessionsAttended}");
        await db.SaveChangesAsync(ct);
        return attended;
    }

    public static async Task<Result<Medication>> RecordMedication(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, MedicationDetails details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return Result<Medication>.Failure("personId", "That person was not found.");
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

    public static async Task<(IReadOnlyList<TherapyCourse> Courses, IReadOnlyList<Medication> Medications)> ForPerson(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var courses = await db.TherapyCourses.AsNoTracking().Where(c => c.PersonId == personId).OrderByDescending(c => c.Id).ToListAsync(ct);
        var medications = await db.Medications.AsNoTracking().Where(m => m.PersonId == personId).OrderByDescending(m => m.Id).ToListAsync(ct);
        return (courses, medications);
    }
}

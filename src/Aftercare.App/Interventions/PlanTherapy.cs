using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Interventions;

/// <summary>Plans a course of psychological therapy (docs/domain.md rule 9), within the configured sessions.</summary>
public static class PlanTherapy
{
    public static async Task<Result<TherapyCourse>> Handle(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid personId, TherapyDetails details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(details);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return Result<TherapyCourse>.Failure(Error.NotFound("personId", "That person was not found."));
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
}

using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Interventions;

/// <summary>A session attended, on a course of this person's.</summary>
public static class RecordTherapySession
{
    /// <summary>The course id comes from a form, so it is checked against the record.</summary>
    public static async Task<Result<TherapyCourse>> Handle(AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, Guid personId, Guid courseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var course = await db.TherapyCourses.FirstOrDefaultAsync(c => c.Id == courseId && c.PersonId == personId, ct);
        if (course is null)
        {
            return Result<TherapyCourse>.Failure(Error.NotFound("", "That course of therapy was not found in this person's record."));
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
}

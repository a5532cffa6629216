using Aftercare.App.Data;
using Aftercare.Domain.Interventions;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Interventions;

/// <summary>The person's courses of therapy and medication, newest first.</summary>
public static class GetInterventions
{
    public static async Task<(IReadOnlyList<TherapyCourse> Courses, IReadOnlyList<Medication> Medications)> Handle(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var courses = await db.TherapyCourses.AsNoTracking().Where(c => c.PersonId == personId).OrderByDescending(c => c.Id).ToListAsync(ct);
        var medications = await db.Medications.AsNoTracking().Where(m => m.PersonId == personId).OrderByDescending(m => m.Id).ToListAsync(ct);
        return (courses, medications);
    }
}

using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>Agreed care plans whose review is due within 30 days or overdue, soonest first (docs/domain.md rule 5).</summary>
public static class CarePlanReviewsDue
{
    /// <summary>For the people in this user's care team (need-to-know).</summary>
    public static async Task<IReadOnlyList<(Guid PersonId, string Name, DateOnly ReviewBy)>> Handle(AftercareDbContext db, TimeProvider clock, string userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var horizon = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(30);
        var rows = await db.CarePlans.AsNoTracking()
            .Where(p => p.Status == DocumentStatus.Completed && p.ReviewBy != null && p.ReviewBy <= horizon && careTeam.Contains(p.PersonId))
            .Join(db.People, p => p.PersonId, person => person.Id, (p, person) => new { p.PersonId, person.GivenName, person.FamilyName, p.ReviewBy })
            .OrderBy(x => x.ReviewBy)
            .ToListAsync(ct);
        return [.. rows.Select(r => (r.PersonId, $"{r.GivenName} {r.FamilyName}", r.ReviewBy!.Value))];
    }
}

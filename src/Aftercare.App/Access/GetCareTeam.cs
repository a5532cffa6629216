using Aftercare.App.Data;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>Who is in a person's care team: the sites they came to, and the staff assigned to them.</summary>
public static class GetCareTeam
{
    public sealed record Member(string Name, string Email, DateTimeOffset AssignedAt, string AssignedBy);

    public sealed record View(IReadOnlyList<string> Sites, IReadOnlyList<Member> Assigned);

    public static async Task<View> Handle(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sites = await db.Presentations.Where(p => p.PersonId == personId).Join(db.Sites, p => p.SiteId, s => s.Id, (p, s) => s.Name).Distinct().OrderBy(n => n).ToListAsync(ct);
        var assigned = await db.CareAssignments.Where(a => a.PersonId == personId)
            .Join(db.Users, a => a.UserId, u => u.Id, (a, u) => new Member(u.DisplayName, u.Email ?? "", a.AssignedAt, a.AssignedBy))
            .ToListAsync(ct);
        return new View(sites, [.. assigned.OrderBy(m => m.AssignedAt)]);
    }
}

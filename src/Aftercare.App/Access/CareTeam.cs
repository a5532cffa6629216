using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>Who is in a person's care team: the sites they came to, and the staff assigned to them.</summary>
public static class CareTeam
{
    public sealed record Member(string Name, string Email, DateTimeOffset AssignedAt, string AssignedBy);

    public sealed record View(IReadOnlyList<string> Sites, IReadOnlyList<Member> Assigned);

    public static async Task<View> Of(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sites = await db.Presentations.Where(p => p.PersonId == personId).Join(db.Sites, p => p.SiteId, s => s.Id, (p, s) => s.Name).Distinct().OrderBy(n => n).ToListAsync(ct);
        var assigned = await db.CareAssignments.Where(a => a.PersonId == personId)
            .Join(db.Users, a => a.UserId, u => u.Id, (a, u) => new Member(u.DisplayName, u.Email ?? "", a.AssignedAt, a.AssignedBy))
            .ToListAsync(ct);
        return new View(sites, [.. assigned.OrderBy(m => m.AssignedAt)]);
    }

    /// <summary>A member of the care team adds a colleague who gives direct care (a therapist in the community, say).</summary>
    public static async Task<Result<CareAssignment>> Assign(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, string? email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        if (await RecordAccess.CheckAsync(db, actor.UserId, personId, now, ct) != Relationship.CareTeam)
        {
            return Result<CareAssignment>.Failure("email", "Only the person's care team can add someone to it.");
        }

        var address = (email ?? "").Trim();
        var user = address.Length == 0 ? null : await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == address.ToUpperInvariant(), ct);
        var directCare = Roles.DirectCare.Split(',');
        var givesCare = user is not null && await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .AnyAsync(x => x.UserId == user.Id && directCare.Contains(x.Name), ct);
        if (user is null || !givesCare)
        {
            return Result<CareAssignment>.Failure("email", "Give the email address of a colleague who gives direct care (clinician, aftercare worker or therapist).");
        }

        if (await db.CareAssignments.AnyAsync(a => a.PersonId == personId && a.UserId == user.Id, ct))
        {
            return Result<CareAssignment>.Failure("email", "They are assigned already.");
        }

        var assignment = CareAssignment.Assign(personId, user.Id, actor.Email, now);
        db.CareAssignments.Add(assignment);
        db.Audit(clock, actor, AuditAction.CareTeamChanged, AuditPurpose.DirectCare, personId, $"assigned {user.Id}");
        await db.SaveChangesAsync(ct);
        return assignment;
    }
}

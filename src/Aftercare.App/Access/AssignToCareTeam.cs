using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>A member of the care team adds a colleague who gives direct care (a therapist in the community, say).</summary>
public static class AssignToCareTeam
{
    public static async Task<Result<CareAssignment>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, string? email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        if (await RecordAccess.CheckAsync(db, actor.UserId, personId, now, ct) != Relationship.CareTeam)
        {
            return Result<CareAssignment>.Failure(new Error("email", "Only the person's care team can add someone to it.", ErrorKind.Forbidden));
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
            return Result<CareAssignment>.Failure(Error.Refused("They are assigned already.", "email"));
        }

        var assignment = CareAssignment.Assign(personId, user.Id, actor.Email, now);
        db.CareAssignments.Add(assignment);
        db.Audit(clock, actor, AuditAction.CareTeamChanged, AuditPurpose.DirectCare, personId, $"assigned {user.Id}");
        await db.SaveChangesAsync(ct);
        return assignment;
    }
}

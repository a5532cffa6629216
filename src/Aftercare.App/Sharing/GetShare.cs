using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Sites;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Sharing;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sharing;

/// <summary>A share as it was sent: the exact versions of the plans in the letter.</summary>
public static class GetShare
{
    /// <summary>
    /// The letter: the share, the plans as sent, the service that writes (the team of the person's
    /// care, from the site configuration: name, address, phone) and who signs it, by name and role.
    /// </summary>
    public sealed record Letter(Share Share, Person Person, CarePlanContent? CarePlan, SafetyPlanContent? SafetyPlan, SiteSetting? Team, string? SignedBy, string? SignerRole);

    public static async Task<Letter?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, SiteTeams teams, Guid shareId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(teams);
        ArgumentNullException.ThrowIfNull(db);
        var share = await db.Shares.AsNoTracking().FirstOrDefaultAsync(s => s.Id == shareId, ct);
        if (share is null)
        {
            return null;
        }

        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == share.PersonId, ct);
        var carePlan = share.CarePlanId is { } c
            ? await db.Set<Domain.Documents.Revision<CarePlanContent>>().AsNoTracking()
                .Where(r => r.DocumentId == c && r.Version == share.CarePlanVersion).Select(r => r.Content).FirstOrDefaultAsync(ct)
            : null;
        var safetyPlan = share.SafetyPlanId is { } s
            ? await db.Set<Domain.Documents.Revision<SafetyPlanContent>>().AsNoTracking()
                .Where(r => r.DocumentId == s && r.Version == share.SafetyPlanVersion).Select(r => r.Content).FirstOrDefaultAsync(ct)
            : null;
        var team = await teams.ForPersonAsync(db, share.PersonId, null, ct);
        var (signedBy, role) = await Signer(db, share.SharedBy, ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, share.PersonId, $"share {share.Id}");
        await db.SaveChangesAsync(ct);
        return new Letter(share, person, carePlan, safetyPlan, team, signedBy, role);
    }

    /// <summary>The sharer's name and clinical role as a GP reads them; never their sign-in email (null when no name was given).</summary>
    private static async Task<(string? Name, string? Role)> Signer(AftercareDbContext db, string email, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => new { u.Id, u.DisplayName }).FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return (null, null);
        }

        var roles = await db.UserRoles.Where(r => r.UserId == user.Id).Join(db.Roles, r => r.RoleId, r => r.Id, (_, r) => r.Name).ToListAsync(ct);
        // The role that gives care, in the order a letter would name it.
        var role = new[] { Roles.Clinician, Roles.Therapist, Roles.AftercareWorker }.FirstOrDefault(roles.Contains) switch
        {
            Roles.Clinician => "Clinician",
            Roles.Therapist => "Therapist",
            Roles.AftercareWorker => "Aftercare worker",
            _ => null,
        };
        var name = string.IsNullOrWhiteSpace(user.DisplayName) || user.DisplayName.Contains('@', StringComparison.Ordinal) ? null : user.DisplayName.Trim();
        return (name, role);
    }
}

using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>The privacy lead signs off a use of emergency access.</summary>
public static class ReviewBreakGlass
{
    public static async Task<Result<BreakGlassGrant>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid grantId, BreakGlassReviewOutcome? outcome, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var grant = await db.BreakGlassGrants.FirstOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null)
        {
            return Result<BreakGlassGrant>.Failure(Error.NotFound("grant", "There is no such use of emergency access."));
        }

        var errors = grant.Review(actor.UserId, actor.Email, outcome, note, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Result<BreakGlassGrant>.Failure(errors);
        }

        db.Audit(clock, actor, AuditAction.BreakGlassReviewed, AuditPurpose.Security, grant.PersonId, $"{grant.Id} {outcome}");
        await db.SaveChangesAsync(ct);
        return grant;
    }
}

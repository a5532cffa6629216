using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>Moves a handoff on (accepted, booked, attended, closed), from the version the person had open.</summary>
public static class MoveReferral
{
    public static async Task<Result<Referral>> Handle(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid referralId, int basedOnVersion, ReferralStatus? to, DateTimeOffset? appointmentAt, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(actor);
        var referral = await db.Referrals.FirstOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null)
        {
            return Result<Referral>.Failure(Error.NotFound("referral", "That referral was not found."));
        }

        if (referral.Version != basedOnVersion)
        {
            return Result<Referral>.Failure(Error.Stale("Someone updated this handoff while you had it open. Nothing of yours was saved: check where it stands now."));
        }

        if (to is not { } next)
        {
            return Result<Referral>.Failure("status", "Choose the next step.");
        }

        var moved = referral.MoveTo(next, appointmentAt, note, settings.Handoffs, actor.Email, clock.GetUtcNow());
        if (!moved.IsSuccess)
        {
            return moved;
        }

        db.Audit(clock, actor, AuditAction.ReferralUpdated, AuditPurpose.DirectCare, referral.PersonId, $"{referral.Id} {next}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result<Referral>.Failure(Error.Stale("Someone updated this handoff at the same moment. Nothing of yours was saved."));
        }

        return moved;
    }
}

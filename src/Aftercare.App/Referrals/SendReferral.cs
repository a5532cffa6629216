using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>A warm handoff: send a referral to a service in the directory, due to be accepted and booked in time.</summary>
public static class SendReferral
{
    public static async Task<Result<Referral>> Handle(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid personId, Guid? serviceId, string? reason, ServicePreference preference, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(actor);
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return Result<Referral>.Failure(Error.NotFound("personId", "That person was not found."));
        }

        var service = serviceId is { } id ? await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) : null;
        var referral = Referral.Send(personId, service, reason, preference, settings.Handoffs, actor.Email, clock.GetUtcNow());
        if (!referral.IsSuccess)
        {
            return referral;
        }

        db.Referrals.Add(referral.Value);
        db.Audit(clock, actor, AuditAction.ReferralSent, AuditPurpose.DirectCare, personId, referral.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return referral;
    }
}

using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>Warm handoffs: send a referral, move it on, and find the ones not yet confirmed.</summary>
public static class Handoffs
{
    public sealed record Row(Referral Referral, string ServiceName, bool Clinical, string PersonName);

    public static async Task<Result<Referral>> Send(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid personId, Guid? serviceId, string? reason, ServicePreference preference, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(actor);
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return Result<Referral>.Failure("personId", "That person was not found.");
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

    public static async Task<Result<Referral>> Move(
        AftercareDbContext db, TimeProvider clock, AftercareSettings settings, Actor actor, Guid referralId, int basedOnVersion, ReferralStatus? to, DateTimeOffset? appointmentAt, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(actor);
        var referral = await db.Referrals.FirstOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null)
        {
            return Result<Referral>.Failure("referral", "That referral was not found.");
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

    public static async Task<IReadOnlyList<Row>> ForPerson(AftercareDbContext db, Guid personId, CancellationToken ct) =>
        await Rows(db, db.Referrals.Where(r => r.PersonId == personId), ct);

    public static async Task<Row?> One(AftercareDbContext db, TimeProvider clock, Actor actor, Guid referralId, CancellationToken ct)
    {
        var rows = await Rows(db, db.Referrals.Where(r => r.Id == referralId), ct);
        var row = rows.Count > 0 ? rows[0] : null;
        if (row is not null)
        {
            db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, row.Referral.PersonId, $"referral {referralId}");
            await db.SaveChangesAsync(ct);
        }

        return row;
    }

    /// <summary>Open handoffs past their due date: escalated, on the worklist until followed up.</summary>
    /// <summary>Handoffs past their deadline for the people in this user's care team (need-to-know).</summary>
    public static async Task<IReadOnlyList<Row>> Unconfirmed(AftercareDbContext db, TimeProvider clock, string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var open = db.Referrals.Where(r => (r.Status == ReferralStatus.Sent || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.AppointmentBooked) && careTeam.Contains(r.PersonId));
        return [.. (await Rows(db, open.Where(r => r.DueBy < now), ct)).OrderBy(r => r.Referral.DueBy)];
    }

    private static async Task<IReadOnlyList<Row>> Rows(AftercareDbContext db, IQueryable<Referral> referrals, CancellationToken ct)
    {
        var rows = await (
            from r in referrals.AsNoTracking()
            join s in db.Services on r.ServiceId equals s.Id
            join p in db.People on r.PersonId equals p.Id
            select new { Referral = r, s.Name, s.Kind, p.GivenName, p.FamilyName }).ToListAsync(ct);
        return [.. rows.Select(x => new Row(x.Referral, x.Name, x.Kind.IsClinical(), $"{x.GivenName} {x.FamilyName}")).OrderByDescending(r => r.Referral.SentAt)];
    }
}

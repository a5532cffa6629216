using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>
/// "I'd like to talk to someone" (issue 14.6): the person asks from their own space; it is a
/// worklist item for their care team, due within the staffed hours, until someone has been in touch.
/// </summary>
public static class TalkRequests
{
    public sealed record Row(Guid Id, Guid PersonId, string GivenName, string FamilyName, TalkHow How, TalkWhen When, string? Note, DateTimeOffset AskedAt, DateTimeOffset DueBy);

    public static async Task<Result<TalkRequest>> Ask(
        AftercareDbContext db, TimeProvider clock, LocalTime time, PersonVoiceSettings settings, Guid personId, TalkHow how, TalkWhen when, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(settings);
        var now = clock.GetUtcNow();
        var dueBy = time.FromLocal(settings.Hours.AddStaffedHours(time.ToLocal(now), settings.TalkWithinStaffedHours));
        var asked = TalkRequest.Ask(personId, how, when, note, dueBy, now);
        if (!asked.IsSuccess)
        {
            return asked;
        }

        db.TalkRequests.Add(asked.Value);
        db.Audit(clock, Actor.ThePerson(personId), AuditAction.TalkRequested, AuditPurpose.DirectCare, personId, asked.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return asked;
    }

    /// <summary>The person's requests still open, newest first: their space shows "You asked to talk on…".</summary>
    public static async Task<IReadOnlyList<TalkRequest>> OpenFor(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return [.. (await db.TalkRequests.AsNoTracking().Where(r => r.PersonId == personId && r.DoneAt == null).ToListAsync(ct)).OrderByDescending(r => r.AskedAt)];
    }

    /// <summary>Requests to talk from people in the user's care team, soonest due first.</summary>
    public static async Task<IReadOnlyList<Row>> ForCareTeam(AftercareDbContext db, string userId, CancellationToken ct)
    {
        var rows = await Open(db, userId)
            .Join(db.People, r => r.PersonId, p => p.Id, (r, p) => new Row(r.Id, r.PersonId, p.GivenName, p.FamilyName, r.How, r.When, r.Note, r.AskedAt, r.DueBy))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.DueBy)];
    }

    /// <summary>The requests of <see cref="ForCareTeam"/>, as a query (the navigation badge counts them with the rest, <c>Worklist.BadgeCount</c>).</summary>
    public static IQueryable<TalkRequest> Open(AftercareDbContext db, string userId)
    {
        ArgumentNullException.ThrowIfNull(db);
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        return db.TalkRequests.AsNoTracking().Where(r => r.DoneAt == null && careTeam.Contains(r.PersonId));
    }

    /// <summary>Someone has been in touch: off the worklist, audited. False when there is no such request on this record.</summary>
    public static async Task<bool> Done(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var request = await db.TalkRequests.FirstOrDefaultAsync(r => r.Id == requestId && r.PersonId == personId, ct);
        if (request is null)
        {
            return false;
        }

        request.Done(actor.Email, clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.TalkRequestDone, AuditPurpose.DirectCare, personId, request.Id.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }
}

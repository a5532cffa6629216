using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>
/// The person changes their own safety plan in their words (issue 14.3), online or sent later from
/// their phone. A new revision authored by them, on top; never refused as stale: what the care
/// team changed in between is kept section by section, and both are told (the person on their
/// page, the care team on the record and the worklist).
/// </summary>
public static class ChangeMyPlan
{
    public static async Task<Result<PersonChange>> Handle(AftercareDbContext db, TimeProvider clock, PlanHolder holder, int basedOnVersion, SafetyPlanContent theirs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(holder);
        // Two tries: a care-team save landing between our read and our write is merged like any other.
        for (var attempt = 0; ; attempt++)
        {
            var plan = await db.SafetyPlans.Include(p => p.Revisions)
                .FirstAsync(p => p.Id == holder.SafetyPlanId && p.PersonId == holder.PersonId, ct);
            var now = clock.GetUtcNow();
            var errors = plan.ChangeByThePerson(theirs, basedOnVersion, now, out var change);
            if (errors.Count > 0)
            {
                db.ChangeTracker.Clear();
                return Result<PersonChange>.Failure(errors);
            }

            db.PersonPlanChanges.Add(PersonPlanChange.Record(plan.Id, holder.PersonId, change!, now));
            db.Audit(clock, PlanHolder.Actor, AuditAction.SafetyPlanChangedByThePerson, AuditPurpose.DirectCare, holder.PersonId, $"{plan.Id} v{plan.Version}");
            try
            {
                await db.SaveChangesAsync(ct);
                return change!;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}

/// <summary>The care team's side of the person's changes: on the record, on the worklist, and marking one talked through.</summary>
public static class PersonPlanChanges
{
    public sealed record Row(Guid Id, Guid PersonId, string GivenName, string FamilyName, int Version, int BasedOnVersion, DateTimeOffset ChangedAt, DateTimeOffset? TalkedThroughAt, string? TalkedThroughBy)
    {
        public string Headline => $"{GivenName} updated their safety plan";

        /// <summary>What to compare: the version the person started from beside the one they made.</summary>
        public string CompareHref => $"/people/{PersonId}/safety-plan/compare?left={BasedOnVersion}&right={Version}";
    }

    /// <summary>
    /// The person's changes not yet talked through, for the people in this user's care team, oldest
    /// first: until someone marks one "Talked through", or records a contact that reached the person after it.
    /// </summary>
    public static async Task<IReadOnlyList<Row>> ToTalkThrough(AftercareDbContext db, string userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var open = db.PersonPlanChanges.Where(c => c.TalkedThroughAt == null && careTeam.Contains(c.PersonId)
            && !db.Contacts.Any(k => k.PersonId == c.PersonId && k.Outcome == ContactOutcome.Reached && k.CompletedAt > c.ChangedAt));
        return [.. (await Rows(db, open).ToListAsync(ct)).OrderBy(r => r.ChangedAt)];
    }

    /// <summary>Every change the person made to their plan, newest first (the page reading it is audited by its own use case).</summary>
    public static async Task<IReadOnlyList<Row>> ForPerson(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return [.. (await Rows(db, db.PersonPlanChanges.Where(c => c.PersonId == personId)).ToListAsync(ct)).OrderByDescending(r => r.ChangedAt)];
    }

    private static IQueryable<Row> Rows(AftercareDbContext db, IQueryable<PersonPlanChange> changes) =>
        changes.AsNoTracking().Join(db.People, c => c.PersonId, p => p.Id,
            (c, p) => new Row(c.Id, c.PersonId, p.GivenName, p.FamilyName, c.Version, c.BasedOnVersion, c.ChangedAt, c.TalkedThroughAt, c.TalkedThroughBy));

    /// <summary>Marks the person's change talked through with them: off the worklist, audited. False when there is no such change on this record.</summary>
    public static async Task<bool> TalkedThrough(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid changeId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var change = await db.PersonPlanChanges.FirstOrDefaultAsync(c => c.Id == changeId && c.PersonId == personId, ct);
        if (change is null)
        {
            return false;
        }

        change.TalkedThrough(actor.Email, clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.SafetyPlanChangeTalkedThrough, AuditPurpose.DirectCare, personId, $"{change.SafetyPlanId} v{change.Version}");
        await db.SaveChangesAsync(ct);
        return true;
    }
}

using Aftercare.App.Data;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>What an aftercare worker has to do: first contacts, contacts due and overdue, escalations.</summary>
public static class Worklist
{
    /// <param name="Deadline">When the contact had to be made by; for a first contact, the 48-hour deadline a retry does not move.</param>
    public sealed record Item(Guid ContactId, Guid PersonId, string Name, ContactKind Kind, DateTimeOffset DueAt, int NotReached, DateTimeOffset? EscalatedAt, Guid SiteId, string Pathway, DateTimeOffset Deadline);

    public sealed record Lists(IReadOnlyList<Item> FirstContacts, IReadOnlyList<Item> DueToday, IReadOnlyList<Item> Escalated)
    {
        public int Count => FirstContacts.Count + DueToday.Count + Escalated.Count;

        /// <summary>The items of presentations at one site (every site's when null): the worklist page's site filter.</summary>
        public Lists AtSite(Guid? siteId) => siteId is null ? this
            : new([.. FirstContacts.Where(i => i.SiteId == siteId)], [.. DueToday.Where(i => i.SiteId == siteId)], [.. Escalated.Where(i => i.SiteId == siteId)]);
    }

    /// <param name="endOfToday">The end of today in the service's zone.</param>
    /// <param name="userId">Whose worklist: only people in their care team are on it (need-to-know).</param>
    public static async Task<Lists> Handle(AftercareDbContext db, TimeProvider clock, DateTimeOffset endOfToday, string userId, CancellationToken ct)
    {
        var items = (await Candidates(db, clock, endOfToday, userId).ToListAsync(ct))
            .Select(x => new Item(x.Id, x.PersonId, $"{x.GivenName} {x.FamilyName}", x.Kind, x.DueAt, x.NotReachedCount, x.EscalatedAt, x.SiteId, x.PathwayName, x.OriginallyDueAt))
            .ToList();
        var escalated = items.Where(i => i.EscalatedAt is not null).OrderBy(i => i.EscalatedAt).ToList();
        var open = items.Where(i => i.EscalatedAt is null).ToList();
        return new Lists(
            [.. open.Where(i => i.Kind == ContactKind.FirstContact).OrderBy(i => i.DueAt)],
            [.. open.Where(i => i.Kind != ContactKind.FirstContact && i.DueAt <= endOfToday).OrderBy(i => i.DueAt)],
            escalated);
    }

    /// <summary>
    /// The navigation badge on every page: how many things wait for this worker, counted by the
    /// database in one query, without building any list: the items <see cref="Handle"/> would list
    /// (<see cref="Lists.Count"/>), handoffs past their deadline, messages from people waiting for an
    /// answer and requests to talk (issue 16: four round trips on every page before).
    /// </summary>
    public static Task<int> BadgeCount(AftercareDbContext db, TimeProvider clock, DateTimeOffset endOfToday, string userId, CancellationToken ct) =>
        Candidates(db, clock, endOfToday, userId)
            .Where(x => x.EscalatedAt != null || x.Kind == ContactKind.FirstContact || x.DueAt <= endOfToday).Select(x => x.PersonId)
            .Concat(Referrals.UnconfirmedReferrals.Overdue(db, clock, userId).Select(r => r.PersonId))
            .Concat(Messaging.PersonMessages.Unanswered(db, userId).Select(m => m.PersonId))
            .Concat(TalkRequests.Open(db, userId).Select(r => r.PersonId))
            .CountAsync(ct);

    // Set by member initialisation, so that a count after the projection still translates to SQL.
    private sealed class Candidate
    {
        public Guid Id { get; init; }
        public Guid PersonId { get; init; }
        public string GivenName { get; init; } = "";
        public string FamilyName { get; init; } = "";
        public ContactKind Kind { get; init; }
        public DateTimeOffset DueAt { get; init; }
        public int NotReachedCount { get; init; }
        public DateTimeOffset? EscalatedAt { get; init; }
        public Guid SiteId { get; init; }
        public string PathwayName { get; init; } = "";
        public DateTimeOffset OriginallyDueAt { get; init; }
    }

    /// <summary>Due contacts of active episodes in the worker's care team, soon enough to be listed (first contacts up to their 48 hours ahead).</summary>
    private static IQueryable<Candidate> Candidates(AftercareDbContext db, TimeProvider clock, DateTimeOffset endOfToday, string userId)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var firstHorizon = now.AddHours(Pathway.MaxFirstContactHours);
        var horizon = endOfToday > firstHorizon ? endOfToday : firstHorizon;
        // Measured at national scale (issue 16, docs/performance.md). The care team is a semi-join.
        // "Escalated, or due by the horizon" is two disjoint ranges joined by UNION ALL, not one OR:
        // the escalated few from IX_Contacts_Escalated, the rest from each person's range of
        // IX_Contacts_PersonId_Status_DueAt_EscalatedAt. With the OR, PostgreSQL could use neither
        // and hashed every active episode; a range on DueAt across people is no better, because it
        // cannot know that Due contacts are mostly in the future while the others are in the past.
        // The person's name joins through the episode, not the contact, so that the planner does
        // not match every person in the country against the care team before it has any contacts.
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var due =
            from c in db.Contacts.AsNoTracking()
            join e in db.Episodes on c.EpisodeId equals e.Id
            join p in db.People on e.PersonId equals p.Id
            join pr in db.Presentations on e.PresentationId equals pr.Id
            where c.Status == ContactStatus.Due && e.Status == EpisodeStatus.Active
                && pr.EnteredInErrorAt == null
                && careTeam.Contains(c.PersonId)
            select new Candidate
            {
                Id = c.Id, PersonId = c.PersonId, GivenName = p.GivenName, FamilyName = p.FamilyName, Kind = c.Kind, DueAt = c.DueAt,
                NotReachedCount = c.NotReachedCount, EscalatedAt = c.EscalatedAt, SiteId = pr.SiteId, PathwayName = e.PathwayName,
                OriginallyDueAt = c.OriginallyDueAt,
            };
        return due.Where(x => x.EscalatedAt != null)
            .Concat(due.Where(x => x.EscalatedAt == null && x.DueAt <= horizon));
    }

    /// <summary>
    /// The time left to a deadline in whole hours, as a worker reads it: "31 hours left", "less
    /// than an hour left", "overdue by 3 hours" (issue 11: the worklist gave no sense of the 48 hours).
    /// </summary>
    public static string TimeLeft(DateTimeOffset deadline, DateTimeOffset now)
    {
        var left = deadline - now;
        var hours = (int)Math.Floor(Math.Abs(left.TotalHours));
        if (left >= TimeSpan.Zero)
        {
            return hours == 0 ? "less than an hour left" : $"{Words.Count(hours, "hour")} left";
        }

        return hours == 0 ? "overdue by less than an hour" : $"overdue by {Words.Count(hours, "hour")}";
    }
}

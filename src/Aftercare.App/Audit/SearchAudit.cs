using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>Administrators search the audit: by user, person, action and period.</summary>
public static class SearchAudit
{
    public const int PageSize = 200;

    public sealed record Query(string? Actor, Guid? PersonId, AuditAction? Action, DateOnly? From, DateOnly? To);

    public sealed record Row(DateTimeOffset At, string Actor, AuditAction Action, Guid? PersonId, string? EntityId, string Purpose);

    public sealed record Page(IReadOnlyList<Row> Rows, bool More);

    public static async Task<Result<Page>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Query query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        if (query.From is { } f && query.To is { } t && t < f)
        {
            return Result<Page>.Failure("to", "The end date is before the start date.");
        }

        var events = db.AuditEvents.AsNoTracking().AsQueryable();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var who = query.Actor.Trim().ToLowerInvariant();
            events = events.Where(e => e.Actor.ToLower().Contains(who));
        }

        if (query.PersonId is { } person)
        {
            events = events.Where(e => e.PersonId == person);
        }

        if (query.Action is { } action)
        {
            events = events.Where(e => e.Action == action);
        }

        if (query.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.At >= start);
        }

        if (query.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.At < end);
        }

        var rows = await events
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(PageSize + 1)
            .Select(e => new Row(e.At, e.Actor, e.Action, e.PersonId, e.EntityId, e.Purpose))
            .ToListAsync(ct);

        // Searching the audit is itself audited: who looked at who looked.
        db.Audit(clock, actor, AuditAction.AuditSearched, AuditPurpose.Administration, query.PersonId);
        await db.SaveChangesAsync(ct);
        return new Page(rows.Take(PageSize).ToList(), rows.Count > PageSize);
    }
}

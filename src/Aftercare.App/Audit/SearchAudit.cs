using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// Administrators and the privacy lead search the audit: by user, person (their record id, or an
/// MRN or NHS number resolved here, so that it never travels in an address), action and period.
/// </summary>
public static class SearchAudit
{
    public const int PageSize = 200;

    public sealed record Query(string? Actor, Guid? PersonId, AuditAction? Action, DateOnly? From, DateOnly? To);

    public sealed record Row(DateTimeOffset At, string Actor, AuditAction Action, Guid? PersonId, string? EntityId, string Purpose);

    public sealed record Page(IReadOnlyList<Row> Rows, bool More);

    public const string NoOneWithIdentifier = "No one has that MRN or NHS number. Check it, or search by the person's record id.";

    /// <summary>
    /// The person with this MRN or NHS number (spaces and dashes as people type them), or null.
    /// Only whom the identifier belongs to is used: the audit search records the record id, never the number.
    /// </summary>
    public static async Task<Guid?> PersonWithIdentifier(AftercareDbContext db, string? identifier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (string.IsNullOrWhiteSpace(identifier))
        {
            return null;
        }

        foreach (var kind in Enum.GetValues<IdentifierKind>())
        {
            var value = PersonIdentifier.Normalise(kind, identifier);
            var found = await db.People.AsNoTracking().Where(p => p.Identifiers.Any(i => i.Kind == kind && i.Value == value))
                .Select(p => (Guid?)p.Id).Take(2).ToListAsync(ct);
            if (found.Count == 1)
            {
                return found[0];
            }
        }

        return null;
    }

    /// <param name="time">When given, the dates are the service's own days; otherwise UTC days.</param>
    public static async Task<Result<Page>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Query query, CancellationToken ct, LocalTime? time = null)
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
            var start = time?.FromLocal(from.ToDateTime(TimeOnly.MinValue)) ?? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.At >= start);
        }

        if (query.To is { } to)
        {
            var end = time?.FromLocal(to.AddDays(1).ToDateTime(TimeOnly.MinValue)) ?? new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
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

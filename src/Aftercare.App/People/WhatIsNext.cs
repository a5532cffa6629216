using Aftercare.App.Data;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.People;

/// <summary>
/// What the person sees is next (issue 14.8): the people in their care team, their contacts still
/// to come (each with a calendar file), and the services they were referred to with where each stands.
/// Only the person's own: the caller passes the signed-in person's id, never one from the request.
/// </summary>
public static class WhatIsNext
{
    public sealed record Contact(Guid Id, ContactKind Kind, DateTimeOffset At);

    public sealed record ReferralNow(string Service, string? Phone, ReferralStatus Status, DateTimeOffset? AppointmentAt);

    public sealed record View(IReadOnlyList<string> Workers, IReadOnlyList<Contact> Contacts, IReadOnlyList<ReferralNow> Referrals);

    public static async Task<View> Handle(AftercareDbContext db, Guid personId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var workers = await db.CareAssignments.AsNoTracking().Where(a => a.PersonId == personId)
            .Join(db.Users, a => a.UserId, u => u.Id, (a, u) => new { u.DisplayName, a.AssignedAt }).ToListAsync(ct);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.PersonId == personId && c.Status == ContactStatus.Due)
            .Select(c => new Contact(c.Id, c.Kind, c.DueAt)).ToListAsync(ct);
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.PersonId == personId)
            .Join(db.Services, r => r.ServiceId, s => s.Id, (r, s) => new { s.Name, s.Phone, r.Status, r.AppointmentAt, r.Id }).ToListAsync(ct);
        return new View(
            [.. workers.OrderBy(w => w.AssignedAt).Select(w => w.DisplayName).Where(n => !string.IsNullOrWhiteSpace(n))],
            [.. contacts.Where(c => c.At >= now.AddDays(-1)).OrderBy(c => c.At)],
            [.. referrals.OrderByDescending(r => r.Id).Select(r => new ReferralNow(r.Name, r.Phone, r.Status, r.AppointmentAt))]);
    }
}

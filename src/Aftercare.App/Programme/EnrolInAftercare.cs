using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>
/// Offers and makes the enrolment on an aftercare pathway after a presentation. If the person is
/// already in aftercare, coming back restarts the schedule and is recorded as re-engagement.
/// </summary>
public static class EnrolInAftercare
{
    public sealed record Offer(Guid PersonId, string PersonName, int AgeAtArrival, Pathway? Suggested, IReadOnlyList<Pathway> Pathways, Episode? Active, Episode? ForThisPresentation, DateTimeOffset ArrivedAt);

    public sealed record Command(Guid PresentationId, string? PathwayId, DateTimeOffset? DischargedAt, string? Reason, bool MakeDefaultReferrals = true);

    public static async Task<Offer?> OfferFor(AftercareDbContext db, AftercareSettings settings, Guid presentationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        var presentation = await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == presentationId, ct);
        if (presentation is null)
        {
            return null;
        }

        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == presentation.PersonId, ct);
        var age = person.AgeOn(DateOnly.FromDateTime(presentation.ArrivedAt.UtcDateTime));
        var active = await db.Episodes.AsNoTracking().Include(e => e.Contacts)
            .FirstOrDefaultAsync(e => e.PersonId == person.Id && e.Status == EpisodeStatus.Active, ct);
        var forThis = await db.Episodes.AsNoTracking().FirstOrDefaultAsync(e => e.PresentationId == presentationId, ct);
        return new Offer(person.Id, person.DisplayName, age, settings.Pathways.Suggest(age, person.PriorPsychiatricHistory), settings.Pathways.Pathways, active, forThis, presentation.ArrivedAt);
    }

    public static async Task<Result<Episode>> Handle(
        AftercareDbContext db, TimeProvider clock, LocalTime time, AftercareSettings settings, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var offer = await OfferFor(db, settings, command.PresentationId, ct);
        if (offer is null)
        {
            return Result<Episode>.Failure("presentationId", "That presentation was not found.");
        }

        if (offer.ForThisPresentation is not null)
        {
            return Result<Episode>.Failure("presentationId", "This presentation already has an aftercare enrolment.");
        }

        var pathway = command.PathwayId is { } id ? settings.Pathways.Find(id) : null;
        if (pathway is null)
        {
            return Result<Episode>.Failure("pathwayId", "Choose one of the configured pathways.");
        }

        var now = clock.GetUtcNow();
        DateTimeOffset DayAfter(DateTimeOffset from, int days) => time.DayAfter(from, days, settings.ContactTimeOfDay);
        Episode episode;
        // Enrolment, its contacts, caring messages and default referrals commit together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (offer.Active is { } active)
        {
            // DOMAIN.md rule 2: coming back is re-engagement; the schedule restarts from this discharge.
            if (command.DischargedAt is not { } discharged || discharged < offer.ArrivedAt)
            {
                return Result<Episode>.Failure("dischargedAt", "Enter when the person was discharged, after they arrived.");
            }

            episode = await db.Episodes.Include(e => e.Contacts).FirstAsync(e => e.Id == active.Id, ct);
            var restarted = episode.ReEngage(discharged, pathway, DayAfter, now);
            if (!restarted.IsSuccess)
            {
                return restarted;
            }

            db.Audit(clock, actor, AuditAction.AftercareReEngaged, AuditPurpose.DirectCare, episode.PersonId, episode.Id.ToString());
            await Messaging.CaringMessages.CancelPending(db, episode.Id, ct);
        }
        else
        {
            var enrolled = Episode.Enrol(offer.PersonId, command.PresentationId, offer.ArrivedAt, command.DischargedAt, pathway,
                settings.Pathways.Version, offer.Suggested, command.Reason, DayAfter, actor.Email, now);
            if (!enrolled.IsSuccess)
            {
                return enrolled;
            }

            episode = enrolled.Value;
            db.Episodes.Add(episode);
            db.Audit(clock, actor, AuditAction.EnrolledInAftercare, AuditPurpose.DirectCare, episode.PersonId, episode.Id.ToString());
        }

        // Caring messages are written with the enrolment, in the same transaction (the outbox).
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == offer.PersonId, ct);
        await Messaging.CaringMessages.ScheduleForEpisode(db, person, episode, pathway, DayAfter, now, ct);

        if (command.MakeDefaultReferrals && pathway.DefaultReferrals.Count > 0)
        {
            // The pathway's default referrals (e.g. CAMHS for under-18s) go in the same transaction as the enrolment.
            var services = await db.Services.AsNoTracking().Where(s => pathway.DefaultReferrals.Contains(s.Code)).ToListAsync(ct);
            foreach (var service in services)
            {
                var referral = Referral.Send(offer.PersonId, service, $"Part of the {pathway.Name} pathway after the presentation of {time.FormatDate(offer.ArrivedAt)}.",
                    ServicePreference.NoPreference, settings.Handoffs, actor.Email, now).Value;
                db.Referrals.Add(referral);
                db.Audit(clock, actor, AuditAction.ReferralSent, AuditPurpose.DirectCare, offer.PersonId, referral.Id.ToString());
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return episode;
    }
}

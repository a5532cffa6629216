using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>
/// Offers and makes the enrolment on an aftercare pathway after a presentation. If the person is
/// already in aftercare, a newer presentation restarts the schedule, by the same rules as an
/// enrolment, and is recorded as re-engagement (docs/domain.md rules 2, 11 and 12).
/// </summary>
public static class EnrolInAftercare
{
    /// <summary>What choosing a pathway would start for this person, said before it starts (issue 11).</summary>
    /// <param name="MessageChannel">How caring messages would go, or null when none would.</param>
    /// <param name="NoMessagesBecause">Why no caring messages would go, when none would.</param>
    /// <param name="Referrals">The pathway's default referrals: each service's name, and when one is already open there, since when.</param>
    public sealed record Plan(Pathway Pathway, MessageChannel? MessageChannel, string? MessageAddress, string? NoMessagesBecause, IReadOnlyList<PlannedReferral> Referrals)
    {
        public IEnumerable<PlannedReferral> ToSend => Referrals.Where(r => r.OpenSince is null);
    }

    public sealed record PlannedReferral(string Code, string ServiceName, DateTimeOffset? OpenSince);

    /// <summary>What a restart would stop: the contacts still due and the caring messages waiting.</summary>
    public sealed record Stops(int ContactsDue, int MessagesWaiting);

    public sealed record Offer(
        Guid PersonId, string PersonName, int AgeAtArrival, PriorPsychiatricHistory History, Pathway? Suggested, IReadOnlyList<Plan> Plans,
        Episode? Active, Episode? ForThisPresentation, DateTimeOffset ArrivedAt, Stops? Stopping)
    {
        public IReadOnlyList<Pathway> Pathways => [.. Plans.Select(p => p.Pathway)];

        /// <summary>A restart is offered only from a presentation newer than the discharge the active schedule runs from.</summary>
        public bool CanRestart => Active?.CanRestartFrom(ArrivedAt) == true;

        public Plan? PlanFor(string? pathwayId) => Plans.FirstOrDefault(p => p.Pathway.Id == pathwayId);
    }

    /// <param name="Preference">The person's preference for the services they are referred to (docs/domain.md rule 13), asked when the pathway refers.</param>
    public sealed record Command(Guid PresentationId, string? PathwayId, DateTimeOffset? DischargedAt, string? Reason, ServicePreference? Preference = null, bool MakeDefaultReferrals = true);

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
        // docs/domain.md rule 12: the suggestion follows the age at this presentation and prior history, for an enrolment and a restart alike.
        var age = person.AgeOn(DateOnly.FromDateTime(presentation.ArrivedAt.UtcDateTime));
        var active = await db.Episodes.AsNoTracking().Include(e => e.Contacts)
            .FirstOrDefaultAsync(e => e.PersonId == person.Id && e.Status == EpisodeStatus.Active, ct);
        var forThis = await db.Episodes.AsNoTracking().FirstOrDefaultAsync(e => e.PresentationId == presentationId, ct);
        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == person.Id, ct);
        var codes = settings.Pathways.Pathways.SelectMany(p => p.DefaultReferrals).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => codes.Contains(s.Code)).ToDictionaryAsync(s => s.Code, ct);
        var serviceIds = services.Values.Select(s => s.Id).ToList();
        var open = (await db.Referrals.AsNoTracking()
                .Where(r => r.PersonId == person.Id && serviceIds.Contains(r.ServiceId)
                    && r.Status != ReferralStatus.Attended && r.Status != ReferralStatus.Declined && r.Status != ReferralStatus.NotReached)
                .Select(r => new { r.ServiceId, r.SentAt }).ToListAsync(ct))
            .GroupBy(r => r.ServiceId).ToDictionary(g => g.Key, g => g.Min(r => r.SentAt));

        var plans = settings.Pathways.Pathways.Select(pathway =>
        {
            var referrals = pathway.DefaultReferrals.Where(services.ContainsKey).Select(code => services[code])
                .Select(s => new PlannedReferral(s.Code, s.Name, open.TryGetValue(s.Id, out var since) ? since : null)).ToList();
            var why = NoMessagesBecause(person, preferences, pathway);
            var channel = why is null ? CaringMessages.ChannelFor(person) : null;
            return new Plan(pathway, channel, channel is { } c ? CaringMessages.AddressFor(person, c) : null, why, referrals);
        }).ToList();

        Stops? stopping = null;
        if (active is not null)
        {
            var waiting = await db.OutboxMessages.CountAsync(m => m.EpisodeId == active.Id && m.Status == MessageStatus.Pending, ct);
            stopping = new Stops(active.Contacts.Count(c => c.Status == ContactStatus.Due), waiting);
        }

        return new Offer(person.Id, person.DisplayName, age, person.PriorPsychiatricHistory, settings.Pathways.Suggest(age, person.PriorPsychiatricHistory),
            plans, active, forThis, presentation.ArrivedAt, stopping);
    }

    /// <summary>Why a pathway would send this person no caring messages, mirroring <see cref="CaringMessages.ScheduleForEpisode"/>; null when it would.</summary>
    private static string? NoMessagesBecause(Person person, MessagePreferences? preferences, Pathway pathway)
    {
        if (pathway.CaringMessages.Count == 0)
        {
            return "this pathway sends none";
        }

        if (preferences?.OptedOut == true)
        {
            return "the person opted out of messages";
        }

        if (CaringMessages.ChannelFor(person) is not { } channel)
        {
            return person.PreferredChannel == ContactChannel.Letter ? "the person prefers letters" : "the person prefers phone calls";
        }

        if (!pathway.Channels.Contains(person.PreferredChannel))
        {
            return $"this pathway does not send by {person.PreferredChannel.Describe().ToLowerInvariant()}, the person's preference";
        }

        return string.IsNullOrWhiteSpace(CaringMessages.AddressFor(person, channel))
            ? (channel == MessageChannel.Email ? "no email address is recorded" : "no mobile number is recorded")
            : null;
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
            return Result<Episode>.Failure(Error.NotFound("presentationId", "That presentation was not found."));
        }

        if (offer.ForThisPresentation is not null)
        {
            return Result<Episode>.Failure(Error.Refused("This presentation already has an aftercare enrolment.", "presentationId"));
        }

        if (await db.Presentations.AnyAsync(p => p.Id == command.PresentationId && p.EnteredInErrorAt != null, ct))
        {
            return Result<Episode>.Failure(Error.Refused("This presentation was withdrawn as entered in error: aftercare is started from a presentation that stands.", "presentationId"));
        }

        if (offer.Active is { } current && !offer.CanRestart)
        {
            return Result<Episode>.Failure(Error.Refused(
                $"{offer.PersonName} is in aftercare from a later discharge ({time.Format(current.DischargedAt)}): only a presentation after it can restart the schedule.", "presentationId"));
        }

        var pathway = command.PathwayId is { } id ? settings.Pathways.Find(id) : null;
        if (pathway is null)
        {
            return Result<Episode>.Failure("pathwayId", "Choose one of the configured pathways.");
        }

        var plan = offer.PlanFor(pathway.Id)!;
        var toSend = command.MakeDefaultReferrals ? plan.ToSend.ToList() : [];
        if (toSend.Count > 0 && (command.Preference is not { } asked || !Enum.IsDefined(asked)))
        {
            // docs/domain.md rule 13: the person's preference is recorded, not assumed.
            return Result<Episode>.Failure("preference",
                $"Ask what kind of service the person would prefer for the referral to {string.Join(" and ", toSend.Select(r => r.ServiceName))}, or choose \"They have no preference\".");
        }

        var now = clock.GetUtcNow();
        DateTimeOffset DayAfter(DateTimeOffset from, int days) => time.DayAfter(from, days, settings.ContactTimeOfDay);
        Episode episode;
        // Enrolment, its contacts, caring messages and default referrals commit together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (offer.Active is { } active)
        {
            // docs/domain.md rule 2: coming back is re-engagement; the schedule restarts from this discharge, by the enrolment's rules.
            episode = await db.Episodes.Include(e => e.Contacts).FirstAsync(e => e.Id == active.Id, ct);
            var restarted = episode.ReEngage(offer.ArrivedAt, command.DischargedAt, pathway, settings.Pathways.Version, offer.Suggested, command.Reason, DayAfter, now);
            if (!restarted.IsSuccess)
            {
                return restarted;
            }

            db.Audit(clock, actor, AuditAction.AftercareReEngaged, AuditPurpose.DirectCare, episode.PersonId, episode.Id.ToString());
            await CaringMessages.CancelPending(db, episode.Id, Aftercare.Domain.Messaging.NotSentBecause.ScheduleRestarted, ct);
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
        await CaringMessages.ScheduleForEpisode(db, person, episode, pathway, DayAfter, now, ct);

        if (toSend.Count > 0)
        {
            // The pathway's default referrals (e.g. CAMHS for under-18s) go in the same transaction as the
            // enrolment; a service the person already has an open referral to is not sent a second one.
            var codes = toSend.Select(r => r.Code).ToList();
            var services = await db.Services.AsNoTracking().Where(s => codes.Contains(s.Code)).ToListAsync(ct);
            foreach (var service in services)
            {
                var referral = Referral.Send(offer.PersonId, service, $"Part of the {pathway.Name} pathway after the presentation of {time.FormatDate(offer.ArrivedAt)}.",
                    command.Preference!.Value, settings.Handoffs, actor.Email, now).Value;
                db.Referrals.Add(referral);
                db.Audit(clock, actor, AuditAction.ReferralSent, AuditPurpose.DirectCare, offer.PersonId, referral.Id.ToString());
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return episode;
    }
}

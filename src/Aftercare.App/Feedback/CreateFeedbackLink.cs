using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Feedback;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Feedback;

/// <summary>The person's experience (docs/domain.md rule 14): staff make a private link to a short form after an assessment or a contact.</summary>
public static class CreateFeedbackLink
{
    public const string Path = "feedback/";

    /// <summary>A new link. The token is in hand only now: it is shown or sent, never stored.</summary>
    public sealed record Created(Guid LinkId, string Token, DateTimeOffset ExpiresAt, MessageChannel? SentBy);

    /// <summary>
    /// Makes a link for feedback on the assessment after a presentation, or on a contact. With a
    /// channel, the link is queued to the person through the outbox in the same transaction.
    /// </summary>
    public static async Task<Result<Created>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, FeedbackAbout about, Guid aboutId, MessageChannel? sendBy, string publicBaseUrl, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var asked = await AskedAbout(db, about, aboutId, ct);
        if (!asked.IsSuccess)
        {
            return Result<Created>.Failure(asked.Errors);
        }

        var (personId, siteId, episodeId) = asked.Value;
        var now = clock.GetUtcNow();
        var (link, token) = FeedbackLink.Create(personId, siteId, about, aboutId, lifetime, actor.Email, now);
        db.FeedbackLinks.Add(link);
        db.Audit(clock, actor, AuditAction.FeedbackLinkCreated, AuditPurpose.DirectCare, personId, link.Id.ToString());
        if (sendBy is { } channel)
        {
            var message = await Invitation(db, clock, actor, personId, episodeId, about, channel, $"{publicBaseUrl.TrimEnd('/')}/{Path}{token}", now, ct);
            if (!message.IsSuccess)
            {
                return Result<Created>.Failure(message.Errors);
            }
        }

        await db.SaveChangesAsync(ct);
        return new Created(link.Id, token, link.ExpiresAt, sendBy);
    }

    private static async Task<Result<(Guid PersonId, Guid SiteId, Guid? EpisodeId)>> AskedAbout(AftercareDbContext db, FeedbackAbout about, Guid aboutId, CancellationToken ct)
    {
        if (about == FeedbackAbout.Assessment)
        {
            var presentation = await db.Presentations.AsNoTracking().Where(p => p.Id == aboutId)
                .Select(p => new { p.PersonId, p.SiteId, p.PsychosocialAssessmentAt, Assessed = db.Assessments.Any(a => a.PresentationId == p.Id) })
                .FirstOrDefaultAsync(ct);
            if (presentation is null)
            {
                return Result<(Guid, Guid, Guid?)>.Failure(Error.NotFound("presentationId", "That presentation was not found."));
            }

            return presentation.PsychosocialAssessmentAt is null && !presentation.Assessed
                ? Result<(Guid, Guid, Guid?)>.Failure(Error.Refused("Feedback on the assessment can be asked for once the assessment has taken place.", "feedback"))
                : (presentation.PersonId, presentation.SiteId, null);
        }

        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == aboutId)
            .Join(db.Episodes, c => c.EpisodeId, e => e.Id, (c, e) => new { c.PersonId, c.Status, e.Id, e.PresentationId })
            .Join(db.Presentations, x => x.PresentationId, p => p.Id, (x, p) => new { x.PersonId, x.Status, EpisodeId = x.Id, p.SiteId })
            .FirstOrDefaultAsync(ct);
        if (contact is null)
        {
            return Result<(Guid, Guid, Guid?)>.Failure(Error.NotFound("contactId", "That contact was not found."));
        }

        return contact.Status != ContactStatus.Done
            ? Result<(Guid, Guid, Guid?)>.Failure(Error.Refused("Feedback on a contact can be asked for once the contact has been made.", "feedback"))
            : (contact.PersonId, contact.SiteId, contact.EpisodeId);
    }

    private static async Task<Result<OutboxMessage>> Invitation(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid? episodeId, FeedbackAbout about, MessageChannel channel, string url, DateTimeOffset now, CancellationToken ct)
    {
        var what = about == FeedbackAbout.Assessment ? "your recent assessment" : "your recent contact with the aftercare team";
        var body = $"How was {what}? Your answers help us improve, and you can give them anonymously. It takes two minutes: {url}";
        return await CaringMessages.QueueLinkMessage(db, clock, actor, personId, episodeId, MessageKind.FeedbackInvitation, channel, "How was your care?", body, now, ct);
    }
}

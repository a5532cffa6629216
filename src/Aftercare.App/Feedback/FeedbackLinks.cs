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

/// <summary>
/// The person's experience (docs/domain.md rule 14): staff send a private link to a short form after an
/// assessment or a contact; the person answers once, without signing in, anonymously if they wish.
/// </summary>
public static class FeedbackLinks
{
    public const string Path = "feedback/";

    /// <summary>A new link. The token is in hand only now: it is shown or sent, never stored.</summary>
    public sealed record Created(Guid LinkId, string Token, DateTimeOffset ExpiresAt, MessageChannel? SentBy);

    /// <summary>
    /// Makes a link for feedback on the assessment after a presentation, or on a contact. With a
    /// channel, the link is queued to the person through the outbox in the same transaction.
    /// </summary>
    public static async Task<Result<Created>> Create(
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
            var message = await Invitation(db, personId, episodeId, about, channel, $"{publicBaseUrl.TrimEnd('/')}/{Path}{token}", now, ct);
            if (!message.IsSuccess)
            {
                return Result<Created>.Failure(message.Errors);
            }

            db.OutboxMessages.Add(message.Value);
            db.Audit(clock, actor, AuditAction.MessageQueued, AuditPurpose.DirectCare, personId, message.Value.Id.ToString());
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
                return Result<(Guid, Guid, Guid?)>.Failure("presentationId", "That presentation was not found.");
            }

            return presentation.PsychosocialAssessmentAt is null && !presentation.Assessed
                ? Result<(Guid, Guid, Guid?)>.Failure("feedback", "Feedback on the assessment can be asked for once the assessment has taken place.")
                : (presentation.PersonId, presentation.SiteId, null);
        }

        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == aboutId)
            .Join(db.Episodes, c => c.EpisodeId, e => e.Id, (c, e) => new { c.PersonId, c.Status, e.Id, e.PresentationId })
            .Join(db.Presentations, x => x.PresentationId, p => p.Id, (x, p) => new { x.PersonId, x.Status, EpisodeId = x.Id, p.SiteId })
            .FirstOrDefaultAsync(ct);
        if (contact is null)
        {
            return Result<(Guid, Guid, Guid?)>.Failure("contactId", "That contact was not found.");
        }

        return contact.Status != ContactStatus.Done
            ? Result<(Guid, Guid, Guid?)>.Failure("feedback", "Feedback on a contact can be asked for once the contact has been made.")
            : (contact.PersonId, contact.SiteId, contact.EpisodeId);
    }

    private static async Task<Result<OutboxMessage>> Invitation(
        AftercareDbContext db, Guid personId, Guid? episodeId, FeedbackAbout about, MessageChannel channel, string url, DateTimeOffset now, CancellationToken ct)
    {
        var what = about == FeedbackAbout.Assessment ? "your recent assessment" : "your recent contact with the aftercare team";
        var body = $"How was {what}? Your answers help us improve, and you can give them anonymously. It takes two minutes: {url}";
        return await CaringMessages.LinkMessage(db, personId, episodeId, MessageKind.FeedbackInvitation, channel, "How was your care?", body, now, ct);
    }

    /// <summary>What the form shows: what it asks about, where, and until when the link works.</summary>
    public sealed record Opened(FeedbackAbout About, string SiteName, DateTimeOffset ExpiresAt);

    /// <summary>
    /// The form behind a token, or null when the token is unknown, expired or already used: the same
    /// empty answer for each, so a guessed or old link learns nothing. Opening is not audited: the
    /// form shows nothing from the record.
    /// </summary>
    public static async Task<Opened?> Open(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var link = await Find(db, token, ct);
        if (link is null || !link.IsUsable(clock.GetUtcNow()))
        {
            return null;
        }

        var site = await db.Sites.Where(s => s.Id == link.SiteId).Select(s => s.Name).FirstAsync(ct);
        return new Opened(link.About, site, link.ExpiresAt);
    }

    /// <summary>
    /// Records the one response a link takes, or null when the link is unknown, expired or used
    /// (also by a second submission racing the first). An anonymous response is stored without the
    /// person, the link, the thing asked about or the time, and its audit event names no one.
    /// </summary>
    public static async Task<Result<Guid>?> Give(AftercareDbContext db, TimeProvider clock, string token, FeedbackAnswers answers, bool anonymous, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = clock.GetUtcNow();
        var link = await Find(db, token, ct);
        if (link is null || !link.IsUsable(now))
        {
            return null;
        }

        var response = FeedbackResponse.Give(link, answers, anonymous, now);
        if (!response.IsSuccess)
        {
            return Result<Guid>.Failure(response.Errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        DateTimeOffset? usedAt = now;
        var spent = await db.FeedbackLinks.Where(l => l.Id == link.Id && l.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, usedAt), ct);
        if (spent == 0)
        {
            return null;
        }

        db.FeedbackResponses.Add(response.Value);
        if (anonymous)
        {
            db.Audit(clock, new Actor("", "(anonymous, by private link)", []), AuditAction.FeedbackGivenAnonymously, AuditPurpose.DirectCare);
        }
        else
        {
            db.Audit(clock, new Actor("", "(the person, by private link)", []), AuditAction.FeedbackGiven, AuditPurpose.DirectCare, link.PersonId, response.Value.Id.ToString());
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return response.Value.Id;
    }

    private static async Task<FeedbackLink?> Find(AftercareDbContext db, string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }

        var hash = FeedbackLink.Hash(token);
        return await db.FeedbackLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash, ct);
    }
}

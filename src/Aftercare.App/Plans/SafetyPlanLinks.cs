using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person's private read-only link to their own safety plan: create, revoke, open.</summary>
public static class SafetyPlanLinks
{
    public const string DraftMessage =
        "This safety plan is still a draft. A private link is for the plan agreed with the person: finish it together and choose \"Save the person's plan\", then create the link.";

    public const string Path = "my-plan/";

    /// <summary>A new link; the token is in hand only now. SentBy: queued to the person by text or email.</summary>
    public sealed record Created(Guid LinkId, string Token, DateTimeOffset ExpiresAt, MessageChannel? SentBy = null);

    /// <summary>Makes a private link to the person's agreed plan, to show them now.</summary>
    public static Task<Result<Created>> Create(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, TimeSpan lifetime, CancellationToken ct) =>
        Create(db, clock, actor, personId, lifetime, null, null, ct);

    /// <summary>
    /// Makes a private link to the person's agreed plan. With a channel, the link is queued to them
    /// through the outbox in the same transaction (as the feedback link is), signed by their team.
    /// </summary>
    public static async Task<Result<Created>> Create(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, TimeSpan lifetime, MessageChannel? sendBy, string? publicBaseUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var plan = await db.SafetyPlans.AsNoTracking().Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        if (plan is null)
        {
            return Result<Created>.Failure("", "Write the safety plan with the person first.");
        }

        // docs/domain.md rule 7: the link is the person's own copy of the plan agreed with them, never a half-written draft.
        if (plan.Status != DocumentStatus.Completed)
        {
            return Result<Created>.Failure("", DraftMessage);
        }

        var now = clock.GetUtcNow();
        var (link, token) = SafetyPlanLink.Create(plan.Id, personId, lifetime, actor.Email, now);
        db.SafetyPlanLinks.Add(link);
        db.Audit(clock, actor, AuditAction.SafetyPlanLinkCreated, AuditPurpose.DirectCare, personId, link.Id.ToString());
        if (sendBy is { } channel)
        {
            var url = $"{(publicBaseUrl ?? "").TrimEnd('/')}/{Path}{token}";
            var message = await CaringMessages.LinkMessage(db, personId, null, MessageKind.SafetyPlanLink, channel, "Your safety plan",
                $"Your safety plan, as we made it together, is here to keep on your phone: {url}", now, ct);
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

    public static async Task<bool> Revoke(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid linkId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var link = await db.SafetyPlanLinks.FirstOrDefaultAsync(l => l.Id == linkId && l.PersonId == personId, ct);
        if (link is null)
        {
            return false;
        }

        link.Revoke(clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.SafetyPlanLinkRevoked, AuditPurpose.DirectCare, personId, link.Id.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }

    public sealed record Opened(Guid PersonId, string GivenName, SafetyPlanContent Content, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

    /// <summary>
    /// The plan behind a token, or null when the token is unknown, expired or revoked: the same
    /// empty answer for each, so a guessed or old link learns nothing.
    /// </summary>
    public static async Task<Opened?> Open(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }

        var hash = SafetyPlanLink.Hash(token);
        var now = clock.GetUtcNow();
        var link = await db.SafetyPlanLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash, ct);
        if (link is null || !link.IsUsable(now))
        {
            return null;
        }

        // The link shows the plan as it is now: a revision made with the person reaches their phone.
        var plan = await db.SafetyPlans.AsNoTracking().FirstAsync(p => p.Id == link.SafetyPlanId, ct);
        var name = await db.People.Where(p => p.Id == link.PersonId).Select(p => p.GivenName).FirstAsync(ct);
        db.Audit(clock, new Actor("", "(the person, by private link)", []), AuditAction.SafetyPlanOpenedByLink, AuditPurpose.DirectCare, link.PersonId, link.Id.ToString());
        await db.SaveChangesAsync(ct);
        return new Opened(link.PersonId, name, plan.Content, plan.UpdatedAt, link.ExpiresAt);
    }
}

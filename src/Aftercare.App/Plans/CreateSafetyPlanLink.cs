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

/// <summary>Makes the person's private read-only link to their own agreed safety plan, to show them or send them.</summary>
public static class CreateSafetyPlanLink
{
    public const string DraftMessage =
        "This safety plan is still a draft. A private link is for the plan agreed with the person: finish it together and choose \"Save the person's plan\", then create the link.";

    public const string Path = "my-plan/";

    /// <summary>A new link; the token is in hand only now. SentBy: queued to the person by text or email.</summary>
    public sealed record Created(Guid LinkId, string Token, DateTimeOffset ExpiresAt, MessageChannel? SentBy = null);

    /// <summary>Makes a private link to the person's agreed plan, to show them now.</summary>
    public static Task<Result<Created>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, TimeSpan lifetime, CancellationToken ct) =>
        Handle(db, clock, actor, personId, lifetime, null, null, ct);

    /// <summary>
    /// Makes a private link to the person's agreed plan. With a channel, the link is queued to them
    /// through the outbox in the same transaction (as the feedback link is), signed by their team.
    /// </summary>
    public static async Task<Result<Created>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, TimeSpan lifetime, MessageChannel? sendBy, string? publicBaseUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var plan = await db.SafetyPlans.AsNoTracking().Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        if (plan is null)
        {
            return Result<Created>.Failure(Error.Refused("Write the safety plan with the person first."));
        }

        // docs/domain.md rule 7: the link is the person's own copy of the plan agreed with them, never a half-written draft.
        if (plan.Status != DocumentStatus.Completed)
        {
            return Result<Created>.Failure(Error.Refused(DraftMessage));
        }

        var now = clock.GetUtcNow();
        var (link, token) = SafetyPlanLink.Create(plan.Id, personId, lifetime, actor.Email, now);
        db.SafetyPlanLinks.Add(link);
        db.Audit(clock, actor, AuditAction.SafetyPlanLinkCreated, AuditPurpose.DirectCare, personId, link.Id.ToString());
        if (sendBy is { } channel)
        {
            var url = $"{(publicBaseUrl ?? "").TrimEnd('/')}/{Path}{token}";
            var message = await CaringMessages.QueueLinkMessage(db, clock, actor, personId, null, MessageKind.SafetyPlanLink, channel, "Your safety plan",
                $"Your safety plan, as we made it together, is here to keep on your phone: {url}", now, ct);
            if (!message.IsSuccess)
            {
                return Result<Created>.Failure(message.Errors);
            }
        }

        await db.SaveChangesAsync(ct);
        return new Created(link.Id, token, link.ExpiresAt, sendBy);
    }

    public const string WhileYouWaitPath = "while-you-wait/";

    /// <summary>
    /// A link for the person to write their own draft while they wait in the emergency department
    /// (issue 14.4): it opens the seven sections to write in, for 12 hours. With no plan yet, an empty
    /// draft is started for them to write in; a plan already agreed has the private link instead.
    /// </summary>
    public static async Task<Result<Created>> WhileYouWait(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        var plan = await db.SafetyPlans.Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        if (plan is { Status: DocumentStatus.Completed })
        {
            return Result<Created>.Failure(Error.Refused("The plan is agreed already: give the person the private link to it, and they can change it in their own words from there."));
        }

        if (plan is null)
        {
            plan = SafetyPlan.Start(personId, SafetyPlanContent.Empty, complete: false, actor.Email, now).Value;
            db.SafetyPlans.Add(plan);
        }

        var (link, token) = SafetyPlanLink.CreateWhileYouWait(plan.Id, personId, actor.Email, now);
        db.SafetyPlanLinks.Add(link);
        db.Audit(clock, actor, AuditAction.SafetyPlanDraftLinkMade, AuditPurpose.DirectCare, personId, link.Id.ToString());
        await db.SaveChangesAsync(ct);
        return new Created(link.Id, token, link.ExpiresAt);
    }
}

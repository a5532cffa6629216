using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Feedback;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Feedback;

/// <summary>The person answers the feedback form once, anonymously if they wish.</summary>
public static class GiveFeedback
{
    /// <summary>
    /// Records the one response a link takes, or null when the link is unknown, expired or used
    /// (also by a second submission racing the first). An anonymous response is stored without the
    /// person, the link, the thing asked about or the time, and its audit event names no one.
    /// </summary>
    public static async Task<Result<Guid>?> Handle(AftercareDbContext db, TimeProvider clock, string token, FeedbackAnswers answers, bool anonymous, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = clock.GetUtcNow();
        var link = await db.FeedbackLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
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
}

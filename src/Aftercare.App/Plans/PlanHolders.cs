using Aftercare.App.Data;

namespace Aftercare.App.Plans;

/// <summary>Whose plan a request from the person is for: their person id, their plan and how they came in.</summary>
public sealed record PlanHolder(Guid PersonId, Guid SafetyPlanId, Guid LinkId, DateTimeOffset ExpiresAt)
{
    /// <summary>Who the audit says acted: the person themselves, by their private link.</summary>
    public static Actor Actor { get; } = new("", "(the person, by private link)", []);
}

/// <summary>
/// The ONE answer to "which person and which plan is this request for", for every request the
/// person makes about their plan (the page, its change form, the offline sync). Today that is the
/// private link's token; the signed-in person at <c>/my</c> joins here (issue 14.1), and nothing
/// else decides it. Unknown, expired and revoked tokens all answer null alike.
/// </summary>
public static class PlanHolders
{
    public static async Task<PlanHolder?> ForRequest(AftercareDbContext db, TimeProvider clock, string? token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var link = await db.SafetyPlanLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
        return link is null || link.WhileYouWait || !link.IsUsable(clock.GetUtcNow()) ? null : new PlanHolder(link.PersonId, link.SafetyPlanId, link.Id, link.ExpiresAt);
    }

    /// <summary>The same answer for a while-you-wait link (issue 14.4): only that kind of link, and only while the plan is a draft.</summary>
    public static async Task<PlanHolder?> ForDraft(AftercareDbContext db, TimeProvider clock, string? token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var link = await db.SafetyPlanLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
        return link is null || !link.WhileYouWait || !link.IsUsable(clock.GetUtcNow()) ? null : new PlanHolder(link.PersonId, link.SafetyPlanId, link.Id, link.ExpiresAt);
    }
}

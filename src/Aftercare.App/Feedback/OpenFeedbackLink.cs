using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain.Feedback;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Feedback;

/// <summary>The person opens the feedback form by its private link, without signing in.</summary>
public static class OpenFeedbackLink
{
    /// <summary>What the form shows: what it asks about, where, and until when the link works.</summary>
    public sealed record Opened(FeedbackAbout About, string SiteName, DateTimeOffset ExpiresAt);

    /// <summary>
    /// The form behind a token, or null when the token is unknown, expired or already used: the same
    /// empty answer for each, so a guessed or old link learns nothing. Opening is not audited: the
    /// form shows nothing from the record.
    /// </summary>
    public static async Task<Opened?> Handle(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var link = await db.FeedbackLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
        if (link is null || !link.IsUsable(clock.GetUtcNow()))
        {
            return null;
        }

        var site = await db.Sites.Where(s => s.Id == link.SiteId).Select(s => s.Name).FirstAsync(ct);
        return new Opened(link.About, site, link.ExpiresAt);
    }
}

using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>
/// Closes an aftercare episode, only with one of the allowed reasons (docs/domain.md rule 11). The
/// episode must belong to the person whose record the request is on: an id posted in a form is
/// never trusted on its own (issue 17: one team closed another team's episode).
/// </summary>
public static class CloseEpisode
{
    public static async Task<Result<Episode>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid episodeId, EpisodeCloseReason? reason, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var episode = await db.Episodes.Include(e => e.Contacts).FirstOrDefaultAsync(e => e.Id == episodeId && e.PersonId == personId, ct);
        if (episode is null)
        {
            return Result<Episode>.Failure(Error.NotFound("episode", "That aftercare episode was not found."));
        }

        var closed = episode.Close(reason, note, clock.GetUtcNow());
        if (!closed.IsSuccess)
        {
            return closed;
        }

        db.Audit(clock, actor, AuditAction.EpisodeClosed, AuditPurpose.DirectCare, episode.PersonId, $"{episode.Id} {reason}");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await Messaging.CaringMessages.CancelPending(db, episode.Id, Aftercare.Domain.Messaging.NotSentBecause.EpisodeClosed, ct);
        await transaction.CommitAsync(ct);
        return closed;
    }
}

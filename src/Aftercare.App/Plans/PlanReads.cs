using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>What reading a care plan and reading a safety plan share: the person, and their latest plan with its revisions.</summary>
internal static class PlanReads
{
    /// <summary>The person and their latest plan of this kind (null if none yet), or null when there is no such person.</summary>
    public static async Task<(Person Person, TPlan? Plan)?> Latest<TPlan, TContent>(AftercareDbContext db, IQueryable<TPlan> plans, Guid personId, CancellationToken ct)
        where TPlan : VersionedDocument<TContent>
        where TContent : class
    {
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return null;
        }

        var plan = await plans.AsNoTracking().Include(p => p.Revisions)
            .Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        return (person, plan);
    }

    /// <summary>A plan's revisions, newest first; none before the first save.</summary>
    public static IReadOnlyList<Revision<TContent>> NewestFirst<TContent>(VersionedDocument<TContent>? plan)
        where TContent : class =>
        plan?.Revisions.OrderByDescending(r => r.Version).ToList() ?? [];
}

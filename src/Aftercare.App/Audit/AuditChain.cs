using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// Writes the audit's hash chain (ADR 0008). New events are sealed by the DbContext as they are
/// saved; events written before the chain existed are sealed once, on upgrade.
/// </summary>
public static class AuditChain
{
    private const int BatchSize = 1000;

    /// <summary>
    /// Seals new events after the chain's last event. Runs inside the transaction that saves them,
    /// after taking the chain's lock, so two writers can never both follow the same event.
    /// </summary>
    internal static async Task SealAsync(AftercareDbContext db, IReadOnlyList<AuditEvent> added, CancellationToken ct)
    {
        await db.LockAuditChainAsync(ct);
        var last = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Sequence > 0)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(ct);
        var sequence = last?.Sequence ?? 0;
        var previous = last?.Hash ?? AuditEvent.Genesis;
        var seal = AuditSeal.Of(db);
        foreach (var e in added)
        {
            e.Seal(++sequence, previous);
            e.Sign(seal.Mac(e.Hash));
            previous = e.Hash;
        }
    }

    /// <summary>
    /// Seals, in the order they were written, the events an older version wrote before the chain
    /// existed. Only while the chain is empty: once it has begun, an event outside it was not
    /// written by Aftercare, and verification reports it instead. Returns how many were sealed.
    /// </summary>
    public static async Task<long> SealEarlierEventsAsync(AftercareDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!await db.AuditEvents.AnyAsync(e => e.Sequence <= 0, ct))
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAuditChainAsync(ct);
        if (await db.AuditEvents.AnyAsync(e => e.Sequence > 0, ct))
        {
            return 0;
        }

        long sequence = 0;
        var previous = AuditEvent.Genesis;
        var seal = AuditSeal.Of(db);
        while (true)
        {
            var batch = await db.AuditEvents.Where(e => e.Sequence <= 0).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var e in batch)
            {
                e.Seal(++sequence, previous);
                e.Sign(seal.Mac(e.Hash));
                previous = e.Hash;
            }

            await db.SaveChangesAsync(ct);
            db.NoteSealed(batch[^1]);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(ct);
        return sequence;
    }
}

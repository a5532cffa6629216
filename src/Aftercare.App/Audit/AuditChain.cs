using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// Writes the audit's hash chain (ADR 0008). New events are sealed by the DbContext as they are
/// saved, so every stored event is in the chain from the first one.
/// </summary>
public static class AuditChain
{
    /// <summary>
    /// Seals new events after the chain's last event. Runs inside the transaction that saves them,
    /// after taking the chain's lock, so two writers can never both follow the same event.
    /// </summary>
    internal static async Task SealAsync(AftercareDbContext db, IReadOnlyList<AuditEvent> added, CancellationToken ct)
    {
        var last = await db.LockAuditChainAndReadHeadAsync(ct);
        var sequence = last?.Position ?? 0;
        var previous = last?.Hash ?? AuditEvent.Genesis;
        var seal = AuditSeal.Of(db);
        foreach (var e in added)
        {
            e.Seal(++sequence, previous);
            e.Sign(seal.Mac(e.Hash));
            previous = e.Hash;
        }
    }
}

using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Users;

/// <summary>
/// Ends every session an account holds, at once: a new security stamp, which each request checks
/// (docs/security.md). Written in one statement with a new concurrency stamp, so it cannot meet a
/// concurrency conflict itself, and a write from a request that read the account before it fails
/// instead of putting the old stamp back.
/// </summary>
public static class EndSessions
{
    public static Task<int> Handle(AftercareDbContext db, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stamp = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        var concurrency = Guid.NewGuid().ToString();
        return db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, stamp).SetProperty(u => u.ConcurrencyStamp, concurrency), ct);
    }
}

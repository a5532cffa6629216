using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Users;

/// <summary>
/// The count of failed sign-ins and the lockout it leads to, each written in one statement that
/// reads the row as it is in the database, not as this request first loaded it. Identity's
/// AccessFailedAsync writes the whole account back under its concurrency stamp: of 30 wrong
/// passwords at once, those that lost the race were answered 500 and never counted (issue 17.8).
/// A count cannot be lost this way, and there is no conflict to meet.
/// </summary>
public static class Lockout
{
    /// <summary>
    /// Locked now, by the app's clock. Identity's IsLockedOutAsync reads the system clock, and the
    /// lock is written here by the injected one: the two agree in production, and this one in tests.
    /// </summary>
    public static bool IsLocked(AftercareUser user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.LockoutEnabled && user.LockoutEnd is { } end && end > now;
    }

    /// <summary>One more failure; at the limit the account locks until now + period and the count starts again.</summary>
    public static Task<int> RecordFailureAsync(AftercareDbContext db, string userId, DateTimeOffset now, int limit, TimeSpan period, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        DateTimeOffset? until = now + period;
        // Failures while locked do not count (as in Identity): the lock is not stretched by an attacker.
        return db.Users.Where(u => u.Id == userId && (u.LockoutEnd == null || u.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.LockoutEnd, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= limit ? until : u.LockoutEnd)
                .SetProperty(u => u.AccessFailedCount, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= limit ? 0 : u.AccessFailedCount + 1), ct);
    }

    /// <summary>After a right code: the count starts again.</summary>
    public static async Task ResetAsync(AftercareDbContext db, AftercareUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0), ct);
        Settle(db, user, u => u.AccessFailedCount, 0);
    }

    /// <summary>The first right code completes setting up an app.</summary>
    public static async Task EnableTwoFactorAsync(AftercareDbContext db, AftercareUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, true), ct);
        Settle(db, user, u => u.TwoFactorEnabled, true);
    }

    /// <summary>The loaded account says what the database now holds, and has nothing left to write.</summary>
    private static void Settle<T>(AftercareDbContext db, AftercareUser user, System.Linq.Expressions.Expression<Func<AftercareUser, T>> property, T value)
    {
        var entry = db.Entry(user).Property(property);
        entry.CurrentValue = value;
        if (db.Entry(user).State != EntityState.Detached)
        {
            entry.OriginalValue = value;
            entry.IsModified = false;
        }
    }
}

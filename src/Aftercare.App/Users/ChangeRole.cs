using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Users;

/// <summary>
/// Gives a member of staff a role in place of their others (set), or takes one away (remove). The
/// security stamp changes, so a sign-in cookie carrying the old roles stops working at the next
/// stamp check (at most a minute) and the next sign-in reads the roles afresh.
/// </summary>
public static class ChangeRole
{
    public static async Task<Result<IReadOnlyList<string>>> Set(
        UserManager<AftercareUser> users, AftercareDbContext db, TimeProvider clock, Actor actor, string email, string role) =>
        await Change(users, db, clock, actor, email, role, async user =>
        {
            var others = (await users.GetRolesAsync(user)).Where(r => r != role).ToList();
            var removed = await users.RemoveFromRolesAsync(user, others);
            return !removed.Succeeded || await users.IsInRoleAsync(user, role) ? removed : await users.AddToRoleAsync(user, role);
        });

    public static async Task<Result<IReadOnlyList<string>>> Remove(
        UserManager<AftercareUser> users, AftercareDbContext db, TimeProvider clock, Actor actor, string email, string role) =>
        await Change(users, db, clock, actor, email, role, async user =>
            await users.IsInRoleAsync(user, role) ? await users.RemoveFromRoleAsync(user, role) : IdentityResult.Success);

    private static async Task<Result<IReadOnlyList<string>>> Change(
        UserManager<AftercareUser> users, AftercareDbContext db, TimeProvider clock, Actor actor, string email, string role,
        Func<AftercareUser, Task<IdentityResult>> change)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (!Roles.IsKnown(role))
        {
            return Result<IReadOnlyList<string>>.Failure("role", $"The role must be one of: {string.Join(", ", Roles.All)}.");
        }

        var user = await users.FindByEmailAsync((email ?? "").Trim());
        if (user is null)
        {
            return Result<IReadOnlyList<string>>.Failure(Error.NotFound("email", "No user has that email address."));
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var changed = await change(user);
        if (!changed.Succeeded)
        {
            return Result<IReadOnlyList<string>>.Failure("role", string.Join(" ", changed.Errors.Select(e => e.Description)));
        }

        await users.UpdateSecurityStampAsync(user);
        db.Audit(clock, actor, AuditAction.UserRoleChanged, AuditPurpose.Administration, entityId: user.Id);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return Result<IReadOnlyList<string>>.Success([.. await users.GetRolesAsync(user)]);
    }
}

using System.Security.Cryptography;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Users;

/// <summary>
/// Adds a member of staff with one role. No default password ever ships: the password is given by
/// the administrator, or generated, printed once and must be changed at first sign-in.
/// </summary>
public static class AddUser
{
    public sealed record Command(string Email, string Role, string? DisplayName, string? Password, IReadOnlyList<string>? Sites = null);

    public sealed record Added(string UserId, string Email, string Role, string? GeneratedPassword, IReadOnlyList<string> Sites);

    public static async Task<Result<Added>> Handle(
        UserManager<AftercareUser> users, RoleManager<IdentityRole> roles, AftercareDbContext db, TimeProvider clock,
        Actor actor, Command command)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(command);
        var email = (command.Email ?? "").Trim();
        if (email.Length == 0 || !System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            return Result<Added>.Failure("email", "Give an email address like name@example.org.");
        }

        if (!Roles.IsKnown(command.Role))
        {
            return Result<Added>.Failure("role", $"The role must be one of: {string.Join(", ", Roles.All)}.");
        }

        if (await users.FindByEmailAsync(email) is not null)
        {
            return Result<Added>.Failure(Error.Refused("A user with that email already exists.", "email"));
        }

        var codes = (command.Sites ?? []).Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var sites = await db.Sites.Where(x => codes.Contains(x.Code)).Select(x => new { x.Id, x.Code }).ToListAsync();
        var unknown = codes.Where(c => !sites.Any(x => string.Equals(x.Code, c, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            return Result<Added>.Failure("site", $"No site has the code {string.Join(", ", unknown)}. Sites: {string.Join(", ", await db.Sites.OrderBy(x => x.Code).Select(x => x.Code).ToListAsync())}.");
        }

        await EnsureRolesAsync(roles);
        // Identity's UserManager saves as it goes; one explicit transaction on the same scoped
        // DbContext makes the user, their role and the audit event commit together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var generated = string.IsNullOrEmpty(command.Password) ? GeneratePassword() : null;
        var user = new AftercareUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(command.DisplayName) ? email : command.DisplayName.Trim(),
            MustChangePassword = generated is not null,
            LockoutEnabled = true,
        };

        var created = await users.CreateAsync(user, command.Password ?? generated!);
        if (!created.Succeeded)
        {
            return Result<Added>.Failure([.. created.Errors.Select(e => new Error(
                e.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email", e.Description))]);
        }

        var role = await users.AddToRoleAsync(user, command.Role);
        if (!role.Succeeded)
        {
            return Result<Added>.Failure("role", string.Join(" ", role.Errors.Select(e => e.Description)));
        }

        foreach (var site in sites)
        {
            db.StaffSites.Add(new Domain.Access.StaffSite(user.Id, site.Id));
        }

        db.Audit(clock, actor, AuditAction.UserCreated, AuditPurpose.Administration, entityId: user.Id);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new Added(user.Id, email, command.Role, generated, [.. sites.Select(x => x.Code)]);
    }

    public static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }

    /// <summary>
    /// A random password that always satisfies the password rules: four groups, each one upper-case
    /// letter, three lower-case letters and a digit, joined by hyphens (e.g. Kmtr4-Bxqa7-…).
    /// Each class is placed, not left to chance, so no draw can break a rule.
    /// </summary>
    public static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string lower = "abcdefghjkmnpqrstuvwxyz";
        const string digits = "23456789";
        static char Pick(string from) => from[RandomNumberGenerator.GetInt32(from.Length)];
        var groups = Enumerable.Range(0, 4).Select(_ =>
            new string([Pick(upper), Pick(lower), Pick(lower), Pick(lower), Pick(digits)]));
        return string.Join('-', groups);
    }
}

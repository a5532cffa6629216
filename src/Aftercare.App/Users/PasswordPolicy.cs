using Aftercare.App.Data;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Users;

/// <summary>
/// What a new password must not be, as the NCSC advises ("Password policy: updating your
/// approach"): one of the passwords people use most (a block-list, in place of rules about
/// upper-case letters, digits and symbols, which push people to Password1!), the password it
/// replaces (the one-time password from `aftercare users add` was accepted as the new one: issue
/// 17.10), or the person's email address. Length (12 or more) is Identity's own rule.
/// </summary>
public sealed class PasswordPolicy : IPasswordValidator<AftercareUser>
{
    public const string CommonCode = "CommonPassword";

    public const string Common = "This is one of the most commonly used passwords, so it is among the first an attacker tries. Choose another: three random words make a strong one.";

    public const string SameCode = "SamePassword";

    public const string Same = "Choose a new password, not the one you were given or the one you have now.";

    public const string EmailCode = "PasswordHasEmail";

    public const string HasEmail = "Your password must not contain your email address or its name part.";

    private static readonly Lazy<HashSet<string>> List = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<AftercareUser> manager, AftercareUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var errors = new List<IdentityError>();
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        if (IsCommon(password))
        {
            errors.Add(new IdentityError { Code = CommonCode, Description = Common });
        }

        var name = (user.Email ?? "").Split('@')[0];
        if (name.Length >= 4 && password.Contains(name, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = EmailCode, Description = HasEmail });
        }

        // Identity checks a new password before it replaces the stored hash, so this is the old one.
        if (!string.IsNullOrEmpty(user.PasswordHash)
            && manager.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            errors.Add(new IdentityError { Code = SameCode, Description = Same });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }

    /// <summary>On the list as it is, or once the digits and symbols around it are taken off ("Password1234!" is "password").</summary>
    public static bool IsCommon(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var lower = password.Trim().ToLowerInvariant();
        var core = lower.Trim([.. lower.Where(c => !char.IsLetter(c)).Distinct()]);
        return List.Value.Contains(lower) || (core.Length > 0 && List.Value.Contains(core));
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Aftercare.App.Users.common-passwords.txt")
            ?? throw new InvalidOperationException("The list of common passwords is missing from the build.");
        using var reader = new StreamReader(stream);
        var list = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                list.Add(line);
            }
        }

        return list;
    }
}

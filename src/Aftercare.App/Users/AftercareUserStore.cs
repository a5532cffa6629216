using Aftercare.App.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Aftercare.App.Users;

/// <summary>
/// Identity's store, with each account's authenticator key encrypted at rest like clinical free
/// text (ADR 0009): a copy of the database or a dump holds no key from which codes can be made.
/// The key is bound to AspNetUserTokens.Value and the account's id, so a key copied to another
/// account does not decrypt. A key stored in clear (a pre-release database) fails closed: reset it
/// with <c>aftercare users reset-authenticator</c>.
/// </summary>
public sealed class AftercareUserStore(AftercareDbContext db, FieldEncryption encryption, IdentityErrorDescriber? describer = null)
    : UserStore<AftercareUser, Microsoft.AspNetCore.Identity.IdentityRole, AftercareDbContext>(db, describer)
{
    private const string Table = "AspNetUserTokens";
    private const string Column = "Value";

    public override Task SetAuthenticatorKeyAsync(AftercareUser user, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return base.SetAuthenticatorKeyAsync(user, encryption.Protect(Table, Column, user.Id, key)!, cancellationToken);
    }

    public override async Task<string?> GetAuthenticatorKeyAsync(AftercareUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return encryption.Unprotect(Table, Column, user.Id, await base.GetAuthenticatorKeyAsync(user, cancellationToken));
    }
}

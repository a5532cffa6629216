using System.Linq.Expressions;
using Aftercare.Domain;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Data;

/// <summary>Finds what a private link's token opens, by the token's hash (<see cref="PrivateLinkToken"/>).</summary>
public static class PrivateLinkLookup
{
    /// <summary>
    /// The one row whose stored hash is the presented token's, or null (a token that cannot be ours is not
    /// looked up). The database finds the row by its indexed hash; the hash found is then checked against the
    /// token in constant time, so no comparison of the secret's bytes depends on where they differ.
    /// </summary>
    public static async Task<T?> FindByTokenAsync<T>(this IQueryable<T> rows, Expression<Func<T, string>> hashOf, string? token, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(hashOf);
        if (PrivateLinkToken.LookupHash(token) is not { } hash)
        {
            return null;
        }

        // hash is captured as a query parameter, not inlined into the SQL.
        var holder = new HashHolder(hash);
        var matches = Expression.Lambda<Func<T, bool>>(
            Expression.Equal(hashOf.Body, Expression.Property(Expression.Constant(holder), nameof(HashHolder.Value))),
            hashOf.Parameters);
        var found = await rows.AsNoTracking().FirstOrDefaultAsync(matches, ct);
        return found is not null && PrivateLinkToken.Matches(hashOf.Compile()(found), token) ? found : null;
    }

    private sealed record HashHolder(string Value);
}

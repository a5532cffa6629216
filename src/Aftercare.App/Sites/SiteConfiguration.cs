using Aftercare.App.Data;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sites;

/// <summary>A site as configured in appsettings (Aftercare:Sites).</summary>
public sealed record SiteSetting(string Code, string Name);

/// <summary>Sites are configuration: the configured list is added to the database at start-up.</summary>
public static class SiteConfiguration
{
    public static async Task<int> ApplyAsync(AftercareDbContext db, IEnumerable<SiteSetting> sites, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(sites);
        var known = await db.Sites.Select(s => s.Code).ToListAsync(ct);
        var added = 0;
        foreach (var site in sites.Where(s => !string.IsNullOrWhiteSpace(s.Code) && !known.Contains(s.Code.Trim())))
        {
            db.Sites.Add(new Site(Guid.CreateVersion7(), site.Code.Trim(), site.Name.Trim()));
            known.Add(site.Code.Trim());
            added++;
        }

        await db.SaveChangesAsync(ct);
        return added;
    }

    public static async Task<IReadOnlyList<Site>> ListAsync(AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Sites.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
    }
}

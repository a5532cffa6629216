using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sites;

/// <summary>
/// The team behind each site, from configuration (Aftercare:Sites: name, phone, address, hours),
/// and which team a person's care is with: the site of the presentation their aftercare episode
/// follows, or else of their latest presentation. The demo sites are known too, so that a database
/// seeded with <c>seed --demo</c> shows its teams' (fictional) numbers under any configuration.
/// </summary>
public sealed class SiteTeams
{
    private readonly Dictionary<string, SiteSetting> _byCode = new(StringComparer.OrdinalIgnoreCase);

    public SiteTeams(IEnumerable<SiteSetting> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        foreach (var site in configured.Where(s => !string.IsNullOrWhiteSpace(s.Code)))
        {
            _byCode[site.Code.Trim()] = site;
        }

        foreach (var site in Demo.DemoData.Sites)
        {
            _byCode.TryAdd(site.Code, site);
        }
    }

    /// <summary>The code of the site configured with this NHS ODS code (Aftercare:Sites[].OdsCode), or null.</summary>
    public string? CodeOfOds(string odsCode) =>
        _byCode.Values.FirstOrDefault(s => string.Equals(s.OdsCode?.Trim(), odsCode.Trim(), StringComparison.OrdinalIgnoreCase))?.Code;

    /// <summary>The configured team of a site; a site no longer configured keeps its name, without a number.</summary>
    public SiteSetting For(string code, string name) => _byCode.TryGetValue(code, out var site) ? site : new SiteSetting(code, name);

    /// <summary>The team of the person's care, or null when they have never presented anywhere.</summary>
    public async Task<SiteSetting?> ForPersonAsync(AftercareDbContext db, Guid personId, Guid? episodeId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        Guid? presentationId = null;
        if (episodeId is { } episode)
        {
            presentationId = await db.Episodes.AsNoTracking().Where(e => e.Id == episode).Select(e => (Guid?)e.PresentationId).FirstOrDefaultAsync(ct);
        }

        var presentations = db.Presentations.AsNoTracking().Where(p => p.PersonId == personId);
        var siteId = presentationId is { } id
            ? await presentations.Where(p => p.Id == id).Select(p => (Guid?)p.SiteId).FirstOrDefaultAsync(ct)
            : null;
        if (siteId is null)
        {
            // Newest first; read into memory so that both providers order DateTimeOffset the same way.
            var arrivals = await presentations.Select(p => new { p.SiteId, p.ArrivedAt }).ToListAsync(ct);
            siteId = arrivals.OrderByDescending(p => p.ArrivedAt).Select(p => (Guid?)p.SiteId).FirstOrDefault();
        }

        if (siteId is null)
        {
            return null;
        }

        var site = await db.Sites.AsNoTracking().FirstAsync(s => s.Id == siteId, ct);
        return For(site.Code, site.Name);
    }
}

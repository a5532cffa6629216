using Aftercare.App.Data;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sites;

/// <summary>
/// A site as configured in appsettings (Aftercare:Sites), with the team people reach there: its
/// phone number, address and opening hours. These are configuration, printed on the person's plan,
/// signed under every caring message and at the head of the letter to the GP.
/// </summary>
public sealed record SiteSetting(string Code, string Name)
{
    /// <summary>The team's number, as people dial it (e.g. "01632 960100").</summary>
    public string? Phone { get; init; }

    /// <summary>The team's postal address, on one line or with commas.</summary>
    public string? Address { get; init; }

    /// <summary>When the phone is answered, as people read it (e.g. "Monday to Friday, 9am to 5pm").</summary>
    public string? Hours { get; init; }

    /// <summary>
    /// The site's NHS ODS code (e.g. RXX01), when it has one: FHIR Organization carries it
    /// (https://fhir.nhs.uk/Id/ods-organization-code) and is searched by it. <see cref="Code"/> is
    /// Aftercare's own code for the site (urn:aftercare:site), which may or may not be the same.
    /// </summary>
    public string? OdsCode { get; init; }

    /// <summary>tel: for the team's number, or null when none is configured.</summary>
    public string? Tel => string.IsNullOrWhiteSpace(Phone) ? null : "tel:" + new string([.. Phone.Where(c => char.IsAsciiDigit(c) || c == '+')]);
}

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

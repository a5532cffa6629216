using Aftercare.App.Data;
using Aftercare.App.Sites;
using Aftercare.Domain.Presentations;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Presentations;

/// <summary>Sites where people present, as FHIR Organization: not patient data, so read and searched without a patient and not audited.</summary>
public static class OrganizationFhir
{
    public const string Type = "Organization";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Identifier);

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, $"Sites where people present: identifier {FhirSystems.SiteSystem} (Aftercare's site code) and, where configured, {FhirSystems.OdsOrganizationSystem} (the NHS ODS code).");

    public static async Task<IResult> Read(string id, AftercareDbContext db, SiteTeams teams, CancellationToken ct)
    {
        var site = Guid.TryParse(id, out var g) ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;
        return site is null ? Outcomes.NotFound(Type, id) : FhirJson.Ok(ToOrganization(site, teams.For(site.Code, site.Name).OdsCode));
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, SiteTeams teams, CancellationToken ct) =>
        RecordAnswers.ListAsync(context, Searched, _ => db.Sites.AsNoTracking().OrderBy(s => s.Code), s => ToOrganization(s, teams.For(s.Code, s.Name).OdsCode), ct,
            search => search.Tokens("identifier").SelectMany(t => t).Any(t => t.System is not (null or "" or FhirSystems.SiteSystem or FhirSystems.OdsOrganizationSystem))
                ? Outcomes.NotSupported($"Sites are identified in {FhirSystems.SiteSystem} and {FhirSystems.OdsOrganizationSystem}.", "identifier") : null);

    /// <summary>
    /// A site where people present, identified as intake identifies it (urn:aftercare:site) and,
    /// when the site's configuration gives one (Aftercare:Sites[].OdsCode), by its NHS ODS code.
    /// </summary>
    public static Organization ToOrganization(Site site, string? odsCode = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        // A site is added from configuration once and never changed: its id's time is when it was last updated.
        var organization = new Organization { Id = site.Id.ToString(), Meta = new Meta { VersionId = "1", LastUpdated = FhirIds.CreatedAt(site.Id) }, Active = true, Name = site.Name };
        organization.Identifier.Add(new Identifier(FhirSystems.SiteSystem, site.Code));
        if (!string.IsNullOrWhiteSpace(odsCode))
        {
            organization.Identifier.Add(new Identifier(FhirSystems.OdsOrganizationSystem, odsCode.Trim()));
        }

        return organization;
    }
}

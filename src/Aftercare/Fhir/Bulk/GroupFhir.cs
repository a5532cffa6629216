using Aftercare.App.Data;
using Aftercare.Domain.Presentations;
using Aftercare.Presentations;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir.Bulk;

/// <summary>
/// A Group is the people who presented at one site (an emergency department): what a regional
/// self-harm register or a site's own audit asks for, and a set every presentation already
/// places a person in (a pathway changes with the episode; a site does not). The Group's id is the
/// site's id and its identifier the site's code, so a client finds it by
/// <c>GET /fhir/Group?identifier=urn:aftercare:site|CODE</c>, then asks for
/// <c>GET /fhir/Group/{id}/$export</c>. Members are not listed in the resource (a Group of
/// thousands is what the export is for); the export holds them. Not patient data: not audited.
/// </summary>
public static class GroupFhir
{
    public const string Type = "Group";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Identifier);

    public static CapabilityStatement.ResourceComponent Capability()
    {
        var group = Fhir.Capability.Resource(Searched, "The people who presented at a site (identifier urn:aftercare:site, as the site's Organization): export them with Group/{id}/$export.");
        group.Operation.Add(new CapabilityStatement.OperationComponent { Name = "export", Definition = BulkExportFhir.GroupExportDefinition });
        return group;
    }

    public static async Task<IResult> Read(string id, AftercareDbContext db, CancellationToken ct)
    {
        var site = await Find(db, id, ct);
        return site is null ? Outcomes.NotFound(Type, id) : FhirJson.Ok(ToGroup(site));
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, CancellationToken ct) =>
        RecordAnswers.ListAsync(context, Searched, _ => db.Sites.AsNoTracking().OrderBy(s => s.Code), ToGroup, ct,
            search => search.Tokens("identifier").SelectMany(t => t).Any(t => t.System is not (null or "" or FhirSystems.SiteSystem))
                ? Outcomes.NotSupported($"Groups are identified by their site, in {FhirSystems.SiteSystem}.", "identifier") : null);

    /// <summary>The site a Group id names, or null.</summary>
    public static async Task<Site?> Find(AftercareDbContext db, string id, CancellationToken ct) =>
        Guid.TryParse(id, out var g) ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;

    /// <summary>The ids of the people in a group: everyone with a presentation at the site.</summary>
    public static IQueryable<Guid> Members(AftercareDbContext db, Guid siteId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.People.Where(p => db.Presentations.Any(x => x.PersonId == p.Id && x.SiteId == siteId)).Select(p => p.Id);
    }

    public static Group ToGroup(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var organization = OrganizationFhir.ToOrganization(site);
        var group = new Group
        {
            Id = site.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = organization.Meta?.LastUpdated },
            Type = Group.GroupType.Person,
            Actual = true,
            Name = $"People who presented at {site.Name}",
            ManagingEntity = new ResourceReference($"{OrganizationFhir.Type}/{site.Id}") { Display = site.Name },
        };
        group.Identifier.Add(new Identifier(FhirSystems.SiteSystem, site.Code));
        return group;
    }
}

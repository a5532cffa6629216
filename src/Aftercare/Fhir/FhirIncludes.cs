using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>What an include loads: the database, the search (its person, when it is by patient) and the page's matches.</summary>
public sealed record IncludeRequest(AftercareDbContext Db, FhirSearch Search, IReadOnlyList<Resource> Matches, CancellationToken Ct);

/// <summary>
/// One <c>_include</c> (on the searched type, <see cref="Source"/> = that type) or <c>_revinclude</c>
/// (declared on the type the references point at) a search takes, as the CapabilityStatement names
/// it (<c>Encounter:subject</c>): the resources of <see cref="Target"/> type the page's matches
/// reference (or that reference them), loaded by <see cref="Load"/>.
/// </summary>
public sealed record FhirInclude(string Source, string Parameter, string Target, Func<IncludeRequest, Task<List<Resource>>> Load)
{
    public string Name => $"{Source}:{Parameter}";

    /// <summary>Whether a value of <c>_include</c>/<c>_revinclude</c> asks for this one (<c>Source:parameter</c>, or with <c>:Target</c>).</summary>
    public bool Is(string value) => value == Name || value == $"{Name}:{Target}";
}

/// <summary>
/// <c>_include</c> and <c>_revinclude</c>, after a search's page is made: the resources asked for are
/// loaded, each person they are about passes need-to-know (someone the caller may not see is left
/// out, as a search leaves them out) and is audited as a read of that type, and they join the page
/// with <c>search.mode = include</c>. They are not counted in the total and not paged.
/// </summary>
public static class FhirIncludes
{
    public const string Include = "_include";
    public const string RevInclude = "_revinclude";

    /// <summary>The page with what the search asked to include added.</summary>
    public static async Task<Bundle> AddAsync(HttpContext context, AftercareDbContext db, TimeProvider clock, FhirSearch search, Bundle page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(page);
        var asked = search.Includes;
        var matches = page.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => e.Resource).OfType<Resource>().ToList();
        if (asked.Count == 0 || matches.Count == 0)
        {
            return page;
        }

        var seen = matches.Select(r => (r.TypeName, r.Id)).ToHashSet();
        var included = new List<Resource>();
        foreach (var include in asked)
        {
            included.AddRange((await include.Load(new IncludeRequest(db, search, matches, ct))).Where(r => seen.Add((r.TypeName, r.Id))));
        }

        foreach (var group in included.GroupBy(r => (Person: PersonOf(r), r.TypeName)))
        {
            var people = group.Key.Person is { } person ? [person] : Array.Empty<Guid>();
            var decision = await FhirAccess.CheckAsync(db, clock, context, people, AuditPurpose.DirectCare, ct);
            if (decision.Refused)
            {
                continue;
            }

            // Each type included is a read of it, audited as its own read would be.
            var action = group.Key.TypeName == "Patient" ? AuditAction.PersonViewed : AuditAction.DocumentViewed;
            await FhirAccess.RecordAsync(db, clock, context, decision, action, people, $"fhir read {group.Key.TypeName} ({Include})", ct);
            foreach (var resource in group)
            {
                page.Entry.Add(new Bundle.EntryComponent
                {
                    FullUrl = FhirRoutes.FullUrl(context, resource.TypeName, resource.Id),
                    Resource = resource,
                    Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Include },
                });
            }
        }

        return page;
    }

    /// <summary>The person a resource is about: a Patient itself, else its subject or patient.</summary>
    public static Guid? PersonOf(Resource resource) => resource switch
    {
        Patient patient => Guid.TryParse(patient.Id, out var id) ? id : null,
        _ => (resource.TryGetValue("subject", out var s) ? s : resource.TryGetValue("patient", out var p) ? p : null) is ResourceReference reference
            ? FhirSearch.PatientReference(reference.Reference)
            : null,
    };

    /// <summary>The matches' own ids.</summary>
    public static List<Guid> IdsOf(IEnumerable<Resource> matches) =>
        [.. (matches ?? []).Select(m => Guid.TryParse(m.Id, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct()];

    /// <summary>The ids a reference element of each match points at (<c>Type/id</c>).</summary>
    public static List<Guid> Referenced(IEnumerable<Resource> matches, string element, string type) =>
    [
        .. matches.Select(m => m.TryGetValue(element, out var value) ? value as ResourceReference : null)
            .Select(r => r?.Reference is { } reference && reference.StartsWith(type + "/", StringComparison.Ordinal) && Guid.TryParse(reference[(type.Length + 1)..], out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty).Distinct(),
    ];
}

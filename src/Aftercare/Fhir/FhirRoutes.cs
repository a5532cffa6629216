namespace Aftercare.Fhir;

/// <summary>
/// The FHIR routes, composed from constants in one place (microsoft/fhir-server's KnownRoutes):
/// <c>/fhir</c>, then <c>{type}</c>, <c>{type}/{id}</c>, <c>{type}/{id}/_history</c> and
/// <c>{type}/{id}/_history/{version}</c>. <see cref="FhirEndpoints.MapFhir"/> maps each to a named handler.
/// </summary>
public static class FhirRoutes
{
    public const string Base = "/fhir";
    public const string ContentType = "application/fhir+json; charset=utf-8";

    public const string Metadata = "/metadata";
    public const string Transaction = "/";
    public const string Id = "id";
    public const string Version = "version";
    public const string History = "_history";
    public const string AnyType = "/{type}";

    /// <summary>Every other path under the base, in any method: answered by <see cref="FhirEdge.Unmatched"/>.</summary>
    public const string Unmatched = "/{**rest}";

    /// <summary><c>/{type}</c>: search (GET) and create (POST).</summary>
    public static string Type(string type) => $"/{type}";

    /// <summary><c>/{type}/_search</c>: search by POST, its parameters in a form body.</summary>
    public static string TypeSearch(string type) => $"/{type}/_search";

    /// <summary><c>/{type}/{id}</c>: read (GET) and update (PUT).</summary>
    public static string Instance(string type) => $"/{type}/{{{Id}}}";

    /// <summary><c>/{type}/{id}/_history</c>: every version.</summary>
    public static string InstanceHistory(string type) => $"{Instance(type)}/{History}";

    /// <summary><c>/{type}/{id}/_history/{version}</c>: one version (vread).</summary>
    public static string InstanceVersion(string type) => $"{InstanceHistory(type)}/{{{Version}:int}}";

    /// <summary>The server's base address as a client reaches it, e.g. <c>https://host/fhir</c>.</summary>
    public static string BaseUrl(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return $"{context.Request.Scheme}://{context.Request.Host}{Base}";
    }

    /// <summary>The full URL of a resource, or of one of its versions.</summary>
    public static string FullUrl(HttpContext context, string type, string? id, string? version = null) =>
        version is null ? $"{BaseUrl(context)}/{type}/{id}" : $"{BaseUrl(context)}/{type}/{id}/{History}/{version}";
}

/// <summary>Identifier and code systems shared by more than one resource.</summary>
public static class FhirSystems
{
    public const string MrnSystem = "urn:aftercare:mrn";
    public const string NhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
    /// <summary>ICD-10 as WHO publishes it; read on intake.</summary>
    public const string Icd10System = "http://hl7.org/fhir/sid/icd-10";

    /// <summary>ICD-10 5th Edition UK, as NHS England's terminology server names it; what Aftercare writes, and reads on intake.</summary>
    public const string Icd10UkSystem = "http://hl7.org/fhir/sid/icd-10-uk";
    public const string SnomedSystem = "http://snomed.info/sct";
    public const string SelfHarmSnomed = "276853009";
    public const string LoincSystem = "http://loinc.org";
    public const string SiteSystem = "urn:aftercare:site";

    /// <summary>An organisation's code in NHS England's Organisation Data Service (a GP practice, a hospital site).</summary>
    public const string OdsOrganizationSystem = "https://fhir.nhs.uk/Id/ods-organization-code";

    /// <summary>A member of staff's sign-in account id on this server: stable, never reused (docs/fhir/README.md).</summary>
    public const string UserSystem = "urn:aftercare:user";
    /// <summary>Where Aftercare's extensions are defined (<see cref="CanonicalUrls"/>): served at /fhir/StructureDefinition/{id}.</summary>
    public const string ExtensionBase = CanonicalUrls.StructureDefinitionBase;
}

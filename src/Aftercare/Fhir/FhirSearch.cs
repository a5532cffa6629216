using System.Globalization;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Aftercare.People;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;
using Expression = System.Linq.Expressions.Expression;

namespace Aftercare.Fhir;

/// <summary>A search parameter a resource type is searched by, as the CapabilityStatement names it.</summary>
public sealed record FhirParameter(string Name, SearchParamType Type)
{
    /// <summary>For a token parameter not named like its element: the values it matches on a resource (else the element of its name).</summary>
    public Func<Resource, object?>? Element { get; init; }

    public static readonly FhirParameter Patient = new("patient", SearchParamType.Reference);
    public static readonly FhirParameter Subject = new("subject", SearchParamType.Reference);
    public static readonly FhirParameter Date = new("date", SearchParamType.Date);
    public static readonly FhirParameter Status = new("status", SearchParamType.Token);
    public static readonly FhirParameter Identifier = new("identifier", SearchParamType.Token);
    public static readonly FhirParameter LastUpdated = new("_lastUpdated", SearchParamType.Date);

    /// <summary>Every search takes these: the page size (0 for the total only) and <c>_summary=count</c>.</summary>
    public static readonly IReadOnlyList<FhirParameter> Common = [new("_count", SearchParamType.Number), new("_summary", SearchParamType.Token)];
}

/// <summary>
/// What one resource type is searched by, declared once beside the resource: the handler reads its
/// search through it (<see cref="FhirSearch.Read"/>) and the CapabilityStatement lists it
/// (<see cref="Capability.Resource"/>), so the two cannot drift apart.
/// </summary>
public sealed class SearchDeclaration(string type, params FhirParameter[] parameters)
{
    public string Type { get; } = type;

    /// <summary>The parameters named in the CapabilityStatement (besides <see cref="FhirParameter.Common"/>).</summary>
    public IReadOnlyList<FhirParameter> Parameters { get; } = parameters;

    /// <summary>
    /// A search of one person's record: it must name the person (<c>patient</c> or <c>subject</c>,
    /// either accepted), and takes <c>status</c> when the resource has a status element.
    /// </summary>
    public bool ByPatient { get; init; }

    /// <summary>
    /// A parameter that may stand in for the person in a <see cref="ByPatient"/> search (a sender's
    /// <c>identifier</c>): the search then runs across the records the caller may open.
    /// </summary>
    public string? PatientOr { get; init; }

    /// <summary>Takes <c>_sort=date</c> or <c>-date</c> (newest first when absent).</summary>
    public bool Sorted { get; init; }

    /// <summary>
    /// Whether the resource carries <c>meta.lastUpdated</c> from a time the record holds, and so
    /// takes <c>_lastUpdated</c>. False where the record keeps no such time (staff, the services
    /// directory): the parameter is then not declared rather than matched against an invented time.
    /// </summary>
    public bool LastUpdated { get; init; } = true;

    /// <summary><c>_include</c>s besides those of a search by patient (<see cref="AllIncludes"/>).</summary>
    public IReadOnlyList<FhirInclude> Includes { get; init; } = [];

    /// <summary><c>_revinclude</c>s: resources of other types that reference this one's matches.</summary>
    public IReadOnlyList<FhirInclude> RevIncludes { get; init; } = [];

    /// <summary>
    /// Every <c>_include</c> taken: a search of one person's record includes that Patient by
    /// <c>{Type}:patient</c> (and <c>{Type}:subject</c> where the type has a subject), then <see cref="Includes"/>.
    /// </summary>
    public IEnumerable<FhirInclude> AllIncludes =>
        (ByPatient ? new[] { FhirParameter.Patient.Name, FhirParameter.Subject.Name }.Where(p => p == FhirParameter.Patient.Name || HasElement(Type, p))
            .Select(p => new FhirInclude(Type, p, PatientFhir.Type, SearchedPatient)) : []).Concat(Includes);

    public IEnumerable<FhirParameter> Advertised =>
        Parameters.Concat(ByPatient && HasStatus(Type) ? [FhirParameter.Status] : [])
            .Concat(LastUpdated ? [FhirParameter.LastUpdated] : []).Concat(FhirParameter.Common);

    public IReadOnlyList<string> Accepted =>
    [
        .. Advertised.Select(p => p.Name),
        .. ByPatient ? new[] { FhirParameter.Patient.Name, FhirParameter.Subject.Name } : [],
        .. Sorted ? new[] { "_sort" } : [],
        FhirSearch.AfterParameter,
        .. AllIncludes.Any() ? new[] { FhirIncludes.Include } : [],
        .. RevIncludes.Count > 0 ? new[] { FhirIncludes.RevInclude } : [],
    ];

    /// <summary>Whether a resource type has a <c>status</c> element, and so the <c>status</c> search parameter.</summary>
    internal static bool HasStatus(string type) => HasElement(type, "status");

    private static bool HasElement(string type, string element) =>
        ModelInfo.ModelInspector.FindClassMapping(type)?.FindMappedElementByName(element) is not null;

    /// <summary>The person a search by patient is about, as the Patient its <c>{Type}:patient</c> include gives.</summary>
    private static async Task<List<Resource>> SearchedPatient(IncludeRequest request) =>
        request.Search.Patient is { } id && await request.Db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, request.Ct) is { } person
            ? [PatientFhir.ToPatient(person)]
            : [];
}

/// <summary>One value of a token parameter: <c>code</c> (any system), <c>system|code</c>, <c>|code</c> (no system) or <c>system|</c> (any code of it).</summary>
public readonly record struct FhirToken(string? System, string Code)
{
    public static FhirToken Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? new FhirToken(null, value) : new FhirToken(value[..bar], value[(bar + 1)..]);
    }

    /// <summary>Whether a coded value (system and code; a primitive code has no system) is this token.</summary>
    public bool Matches(string? system, string? code) =>
        (System is null || System == (system ?? "")) && (Code.Length == 0 ? System is { Length: > 0 } : Code == code);
}

/// <summary>
/// One FHIR search request, read once against its resource's <see cref="SearchDeclaration"/>:
/// unknown parameters (ignored and left out of the links; refused only under
/// <c>Prefer: handling=strict</c>), the person searched (the one <c>patient</c>/<c>subject</c>
/// parser), tokens (a comma is "any of", a repeated parameter "all of"), dates at any FHIR
/// precision with any prefix, <c>_sort</c>, <c>_summary=count</c>, and keyset paging: a next link
/// carries the key of the last resource on its page (<see cref="AfterParameter"/>), so a page
/// never repeats or skips a resource when results are added while a client pages.
/// </summary>
public sealed partial class FhirSearch
{
    public const int MaxCount = 100;
    public const int DefaultCount = 20;

    /// <summary>The key of the last resource on the page before (in next links; clients follow the links, not build them).</summary>
    public const string AfterParameter = "_after";

    private readonly HttpContext _context;
    private readonly SearchDeclaration _declared;

    private FhirSearch(HttpContext context, SearchDeclaration declared, Guid? patient)
    {
        _context = context;
        _declared = declared;
        Patient = patient;
        Count = CountOf(context);
    }

    /// <summary>The person a search by patient is about (need-to-know is the handler's next step).</summary>
    public Guid? Patient { get; }

    /// <summary>The page size: 0 (<c>_count=0</c> or <c>_summary=count</c>) answers the total only.</summary>
    public int Count { get; }

    /// <summary>The key of the last resource already seen (empty on a first page).</summary>
    public string After => Query[AfterParameter].ToString();

    /// <summary><c>_sort</c>: "date", "-date" or "" (a <see cref="SearchDeclaration.Sorted"/> search only).</summary>
    public string Sort => Query["_sort"].ToString();

    private IQueryCollection Query => _context.Request.Query;

    /// <summary>The <c>_include</c>s and <c>_revinclude</c>s asked for that the type declares (one not declared is ignored, or refused under strict handling).</summary>
    public IReadOnlyList<FhirInclude> Includes =>
    [
        .. _declared.AllIncludes.Where(i => Query[FhirIncludes.Include].Any(v => i.Is(v ?? ""))),
        .. _declared.RevIncludes.Where(i => Query[FhirIncludes.RevInclude].Any(v => i.Is(v ?? ""))),
    ];

    /// <summary>An <c>_include</c> or <c>_revinclude</c> value the type does not declare.</summary>
    private IEnumerable<string> UnknownIncludes =>
        Query[FhirIncludes.Include].Where(v => !_declared.AllIncludes.Any(i => i.Is(v ?? "")))
            .Concat(Query[FhirIncludes.RevInclude].Where(v => !_declared.RevIncludes.Any(i => i.Is(v ?? "")))).Select(v => v ?? "");

    /// <summary>Whether a parameter's value is echoed in the links: what the search took (not an include it ignored).</summary>
    private bool Took(string key, string? value) =>
        _declared.Accepted.Contains(key) && (key is not (FhirIncludes.Include or FhirIncludes.RevInclude) || !UnknownIncludes.Contains(value ?? ""));

    /// <summary>The search, or the OperationOutcome that refuses it (unknown parameter under strict handling, no patient, a bad date, sort or summary).</summary>
    public static bool Read(HttpContext context, SearchDeclaration declared, out FhirSearch search, out IResult? refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(declared);
        search = new FhirSearch(context, declared, PatientReference(context.Request.Query["patient"].ToString() is { Length: > 0 } p ? p : context.Request.Query["subject"].ToString()));
        refusal = search.Refusal();
        if (refusal is null)
        {
            context.Items[typeof(FhirSearch)] = search;
        }

        return refusal is null;
    }

    /// <summary>Whether this request is a search (read as one by <see cref="Read"/>): a refusal then answers an empty page.</summary>
    public static bool IsSearch(HttpContext context) => context?.Items.ContainsKey(typeof(FhirSearch)) == true;

    private IResult? Refusal()
    {
        var unknown = Query.Keys.Where(k => !_declared.Accepted.Contains(k)).ToList();

        // FHIR: unknown parameters are ignored unless the client asks for strict handling.
        var strict = _context.Request.Headers["Prefer"].Any(p => p is not null && p.Contains("handling=strict", StringComparison.OrdinalIgnoreCase));
        if (unknown.Count > 0 && strict)
        {
            return Outcomes.NotSupported($"Unknown search parameter(s): {string.Join(", ", unknown)}. Supported: {string.Join(", ", _declared.Accepted)}.");
        }

        // Likewise an include the type does not declare.
        if (strict && UnknownIncludes.ToList() is { Count: > 0 } includes)
        {
            var declared = _declared.AllIncludes.Select(i => $"{FhirIncludes.Include}={i.Name}").Concat(_declared.RevIncludes.Select(i => $"{FhirIncludes.RevInclude}={i.Name}")).ToList();
            return Outcomes.NotSupported(
                $"{string.Join(", ", includes)} is not an include of {_declared.Type}. Declared: {(declared.Count > 0 ? string.Join(", ", declared) : "none")}.",
                Query.ContainsKey(FhirIncludes.Include) ? FhirIncludes.Include : FhirIncludes.RevInclude);
        }

        if (_declared.ByPatient && Patient is null && !(_declared.PatientOr is { } other && Tokens(other).Count > 0))
        {
            return Outcomes.Required($"Search {_declared.Type} by patient (Patient/id){(_declared.PatientOr is { } or ? $" or by {or}" : "")}.", FhirParameter.Patient.Name);
        }

        foreach (var parameter in _declared.Advertised.Where(p => p.Type == SearchParamType.Date))
        {
            if (Query[parameter.Name].FirstOrDefault(v => DateRange.Parse(v) is null) is { } bad)
            {
                return Outcomes.BadValue(
                    $"{parameter.Name} \"{bad}\" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a date and time) with an optional prefix (eq, ne, ge, gt, le, lt, sa, eb).", parameter.Name);
            }
        }

        if (Query["_summary"].ToString() is not ("" or "count" or "false"))
        {
            return Outcomes.NotSupported("_summary supports count (the total only) and false.", "_summary");
        }

        return _declared.Sorted && Sort is not ("" or "date" or "-date") ? Outcomes.NotSupported("_sort supports date and -date.", "_sort") : null;
    }

    /// <summary>
    /// A reference to a person as a search gives it (<c>Patient/id</c> or the bare id), or null when
    /// it is not one: the one place <c>patient</c> and <c>subject</c> are read.
    /// </summary>
    public static Guid? PatientReference(string? value) =>
        Guid.TryParse(value is not null && value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value, out var id) ? id : null;

    /// <summary>The value of a parameter ("" when absent).</summary>
    public string Value(string parameter) => Query[parameter].ToString();

    /// <summary>
    /// A token parameter as FHIR reads it: one list per time the parameter is given (a resource
    /// must match each: "all of"), each the comma-separated values it takes ("any of"). Empty when absent.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<FhirToken>> Tokens(string parameter)
    {
        // A system that is one of this server's code systems is given as the client has it, on this server's address.
        var publicBase = CanonicalUrls.PublicBase(_context);
        return
        [
            .. Query[parameter].Where(v => !string.IsNullOrEmpty(v))
                .Select(v => (IReadOnlyList<FhirToken>)[.. v!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(FhirToken.Parse)
                    .Select(t => t.System is { } system ? t with { System = CanonicalUrls.Internal(system, publicBase) } : t)]),
        ];
    }

    /// <summary>Filters a query by every comparison of a date parameter (already read as valid) on one of its columns, at the precision given.</summary>
    public IQueryable<T> Dated<T>(IQueryable<T> query, string parameter, Expression<Func<T, DateTimeOffset>> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        foreach (var value in Query[parameter])
        {
            var range = DateRange.Parse(value)!.Value;
            Expression Compare(ExpressionType type, DateTimeOffset v) => Expression.MakeBinary(type, field.Body, Expression.Constant(v));
            Expression From() => Compare(ExpressionType.GreaterThanOrEqual, range.Start);
            Expression Before() => Compare(ExpressionType.LessThan, range.Start);
            Expression To() => Compare(ExpressionType.LessThan, range.End);
            Expression After() => Compare(ExpressionType.GreaterThanOrEqual, range.End);
            var body = range.Prefix switch
            {
                "ge" => From(),
                "gt" or "sa" => After(),
                "le" => To(),
                "lt" or "eb" => Before(),
                "ne" => Expression.OrElse(Before(), After()),
                _ => Expression.AndAlso(From(), To()),
            };
            query = query.Where(Expression.Lambda<Func<T, bool>>(body, field.Parameters));
        }

        return query;
    }

    /// <summary>
    /// For results built in memory: whether a resource passes <c>_lastUpdated</c> (on meta.lastUpdated;
    /// a resource without one never matches) and every token parameter declared for it (its element
    /// of that name: codes, codings, codeable concepts or identifiers).
    /// </summary>
    public bool Keeps(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (Query[FhirParameter.LastUpdated.Name].Any(v => resource.Meta?.LastUpdated is not { } at || !DateRange.Parse(v)!.Value.Matches(at)))
        {
            return false;
        }

        return _declared.Advertised.Where(p => p.Type == SearchParamType.Token && !p.Name.StartsWith('_')).All(p => TokenMatches(resource, p.Name, p.Element));
    }

    /// <summary>Whether a resource's element named like a token parameter (or that <paramref name="element"/> gives) matches it (always, when the parameter is not given).</summary>
    public bool TokenMatches(Resource resource, string parameter, Func<Resource, object?>? element = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var codes = element is not null ? Codes(element(resource)).ToList() : resource.TryGetValue(parameter, out var value) ? Codes(value).ToList() : [];
        return Tokens(parameter).All(anyOf => anyOf.Any(token => codes.Any(c => token.Matches(c.System, c.Code))));
    }

    private static IEnumerable<(string? System, string? Code)> Codes(object? value) => value switch
    {
        Coding coding => [(coding.System, coding.Code)],
        CodeableConcept concept => concept.Coding.Select(c => (c.System, c.Code)),
        Hl7.Fhir.Model.Identifier identifier => [(identifier.System, identifier.Value)],
        PrimitiveType primitive => [(null, primitive.JsonValue?.ToString())],
        System.Collections.IEnumerable list and not string => list.Cast<object>().SelectMany(Codes),
        _ => [],
    };

    /// <summary>
    /// This page of everything found (built in memory, in a fixed order): the resources after the
    /// one whose id the next link carried. A key no longer found (that resource has left the
    /// results) ends the walk with an empty page rather than starting it again.
    /// </summary>
    public Bundle Page(IReadOnlyList<Resource> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var start = 0;
        if (After is { Length: > 0 } after)
        {
            var at = all.ToList().FindIndex(r => r.Id == after);
            start = at < 0 ? all.Count : at + 1;
        }

        var page = all.Skip(start).Take(Count).ToList();
        return SearchSet(all.Count, page, start + page.Count < all.Count && page.Count > 0 ? page[^1].Id : null);
    }

    /// <summary>One page read from the database by key, out of a total counted there; <paramref name="nextKey"/> when there is more after it.</summary>
    public Bundle Page(int total, IEnumerable<Resource> page, string? nextKey) => SearchSet(total, page, nextKey);

    /// <summary>An empty search set with this request's links: what someone outside a record is shown (issue 17).</summary>
    public static Bundle Empty(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(FhirSearch)] is FhirSearch search
            ? search.SearchSet(0, [], null)
            : new Bundle { Type = Bundle.BundleType.Searchset, Total = 0 };
    }

    private static int CountOf(HttpContext context) =>
        context.Request.Query["_summary"] == "count" ? 0
        : int.TryParse(context.Request.Query["_count"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? Math.Clamp(c, 0, MaxCount) : DefaultCount;

    private Bundle SearchSet(int total, IEnumerable<Resource> resources, string? nextKey)
    {
        var self = $"{_context.Request.Scheme}://{_context.Request.Host}{_context.Request.Path}";
        string Link(string? after)
        {
            // Only what the search took: a parameter it ignored is not echoed back as if it had applied.
            var query = Query.Where(q => q.Key is not ("_count" or AfterParameter))
                .SelectMany(q => q.Value.Where(v => Took(q.Key, v)).Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append(string.Create(CultureInfo.InvariantCulture, $"_count={Count}"))
                .Concat(after is null ? [] : [$"{AfterParameter}={Uri.EscapeDataString(after)}"]);
            return $"{self}?{string.Join('&', query)}";
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(After is { Length: > 0 } a ? a : null) });
        if (After.Length > 0)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "first", Url = Link(null) });
        }

        if (nextKey is not null && Count > 0)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(nextKey) });
        }

        foreach (var resource in Count > 0 ? resources : [])
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = FhirRoutes.FullUrl(_context, resource.TypeName, resource.Id),
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return bundle;
    }

    /// <summary>
    /// <c>POST /fhir/{type}/_search</c>: the same search as <c>GET /fhir/{type}</c> (FHIR's search by
    /// POST, for parameters too long for a URL), its parameters in an
    /// <c>application/x-www-form-urlencoded</c> body, added to any in the URL. It runs the GET
    /// search's own endpoint, so it is read, checked, audited and paged exactly as that is; its
    /// links are GET links (a next page is a GET).
    /// </summary>
    public static async System.Threading.Tasks.Task Post(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var type = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, var t, ..] ? t : "";
        var search = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
            string.Equals(e.RoutePattern.RawText?.TrimEnd('/'), FhirRoutes.Base + FhirRoutes.Type(type), StringComparison.Ordinal)
            && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true);
        if (search?.RequestDelegate is null)
        {
            await Outcomes.Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotSupported, $"{type} is not searched here: see /fhir/metadata.").ExecuteAsync(context);
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await Outcomes.Fail(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                "A search by POST sends its parameters as application/x-www-form-urlencoded.").ExecuteAsync(context);
            return;
        }

        var parameters = context.Request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
        foreach (var (key, value) in await context.Request.ReadFormAsync(context.RequestAborted))
        {
            parameters[key] = parameters.TryGetValue(key, out var given) ? StringValues.Concat(given, value) : value;
        }

        context.Request.Query = new QueryCollection(parameters);
        await search.RequestDelegate(context);
    }

    /// <summary>
    /// A FHIR search date with its prefix, as the range of instants its precision covers: a year
    /// (<c>2026</c>) is the whole year, a month the month, a day the day (UTC), a time to the minute,
    /// second or fraction given (UTC unless it says its offset).
    /// </summary>
    private readonly record struct DateRange(string Prefix, DateTimeOffset Start, DateTimeOffset End)
    {
        public static DateRange? Parse(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            var prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
            var text = char.IsLetter(value[0]) ? value[2..] : value;

            // A "+01:00" offset sent unescaped arrives as a space.
            var match = FhirDate().Match(text.Replace(' ', '+'));
            if (prefix is not ("eq" or "ne" or "ge" or "gt" or "le" or "lt" or "sa" or "eb") || !match.Success)
            {
                return null;
            }

            int Part(int group, int absent) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : absent;
            var offset = match.Groups[8].Success && match.Groups[8].Value != "Z"
                ? (match.Groups[8].Value[0] == '-' ? -1 : 1) * new TimeSpan(int.Parse(match.Groups[8].Value[1..3], CultureInfo.InvariantCulture), int.Parse(match.Groups[8].Value[4..6], CultureInfo.InvariantCulture), 0)
                : TimeSpan.Zero;
            try
            {
                var start = new DateTimeOffset(Part(1, 1), Part(2, 1), Part(3, 1), Part(4, 0), Part(5, 0), Part(6, 0), offset);
                var fraction = match.Groups[7].Success ? match.Groups[7].Value : "";
                if (fraction.Length > 0)
                {
                    start = start.AddTicks(long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture));
                }

                var end = fraction.Length > 0 ? start.AddTicks((long)Math.Pow(10, 7 - Math.Min(7, fraction.Length)))
                    : match.Groups[6].Success ? start.AddSeconds(1)
                    : match.Groups[5].Success ? start.AddMinutes(1)
                    : match.Groups[3].Success ? start.AddDays(1)
                    : match.Groups[2].Success ? start.AddMonths(1)
                    : start.AddYears(1);
                return new DateRange(prefix, start.ToUniversalTime(), end.ToUniversalTime());
            }
            catch (ArgumentOutOfRangeException)
            {
                return null;
            }
        }

        /// <summary>Whether an instant (a resource's one time) passes this comparison.</summary>
        public bool Matches(DateTimeOffset at) => Prefix switch
        {
            "ge" => at >= Start,
            "gt" or "sa" => at >= End,
            "le" => at < End,
            "lt" or "eb" => at < Start,
            "ne" => at < Start || at >= End,
            _ => at >= Start && at < End,
        };
    }

    // YYYY[-MM[-DD[Thh:mm[:ss[.f+]][Z|+hh:mm|-hh:mm]]]]
    [GeneratedRegex(@"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FhirDate();
}

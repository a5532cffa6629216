using System.Globalization;
using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Expression = System.Linq.Expressions.Expression;

namespace Aftercare.Fhir;

/// <summary>A search parameter a resource type is searched by, as the CapabilityStatement names it.</summary>
public sealed record FhirParameter(string Name, SearchParamType Type)
{
    public static readonly FhirParameter Patient = new("patient", SearchParamType.Reference);
    public static readonly FhirParameter Subject = new("subject", SearchParamType.Reference);
    public static readonly FhirParameter Date = new("date", SearchParamType.Date);
    public static readonly FhirParameter Status = new("status", SearchParamType.Token);
    public static readonly FhirParameter Identifier = new("identifier", SearchParamType.Token);

    /// <summary>Every search takes these.</summary>
    public static readonly IReadOnlyList<FhirParameter> Common =
        [new("_lastUpdated", SearchParamType.Date), new("_count", SearchParamType.Number), new("_offset", SearchParamType.Number)];
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

    /// <summary>Takes <c>_sort=date</c> or <c>-date</c> (newest first when absent).</summary>
    public bool Sorted { get; init; }

    public IEnumerable<FhirParameter> Advertised =>
        Parameters.Concat(ByPatient && HasStatus(Type) ? [FhirParameter.Status] : []).Concat(FhirParameter.Common);

    public IReadOnlyList<string> Accepted =>
    [
        .. Advertised.Select(p => p.Name),
        .. ByPatient ? new[] { FhirParameter.Patient.Name, FhirParameter.Subject.Name } : [],
        .. Sorted ? new[] { "_sort" } : [],
    ];

    /// <summary>Whether a resource type has a <c>status</c> element, and so the <c>status</c> search parameter.</summary>
    internal static bool HasStatus(string type) =>
        ModelInfo.ModelInspector.FindClassMapping(type)?.FindMappedElementByName("status") is not null;
}

/// <summary>
/// One FHIR search request, read once against its resource's <see cref="SearchDeclaration"/>:
/// unknown parameters (refused only under <c>Prefer: handling=strict</c>), the person searched
/// (the one <c>patient</c>/<c>subject</c> parser), date and <c>_lastUpdated</c> filters,
/// <c>_sort</c>, and <c>_count</c>/<c>_offset</c> paging with the self, next and previous links.
/// </summary>
public sealed class FhirSearch
{
    public const int MaxCount = 100;
    public const int DefaultCount = 20;

    private readonly HttpContext _context;
    private readonly SearchDeclaration _declared;

    private FhirSearch(HttpContext context, SearchDeclaration declared, Guid? patient)
    {
        _context = context;
        _declared = declared;
        Patient = patient;
        (Count, Offset) = Paging(context);
    }

    /// <summary>The person a search by patient is about (need-to-know is the handler's next step).</summary>
    public Guid? Patient { get; }

    public int Count { get; }

    public int Offset { get; }

    /// <summary><c>_sort</c>: "date", "-date" or "" (a <see cref="SearchDeclaration.Sorted"/> search only).</summary>
    public string Sort => _context.Request.Query["_sort"].ToString();

    /// <summary>The search, or the OperationOutcome that refuses it (unknown parameter under strict handling, no patient, a bad date or sort).</summary>
    public static bool Read(HttpContext context, SearchDeclaration declared, out FhirSearch search, out IResult? refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(declared);
        search = new FhirSearch(context, declared, PatientReference(context.Request.Query["patient"].ToString() is { Length: > 0 } p ? p : context.Request.Query["subject"].ToString()));
        refusal = search.Refusal();
        return refusal is null;
    }

    private IResult? Refusal()
    {
        var query = _context.Request.Query;
        var unknown = query.Keys.Where(k => !_declared.Accepted.Contains(k)).ToList();

        // FHIR: unknown parameters are ignored unless the client asks for strict handling.
        if (unknown.Count > 0 && _context.Request.Headers["Prefer"].Any(p => p is not null && p.Contains("handling=strict", StringComparison.OrdinalIgnoreCase)))
        {
            return Outcomes.NotSupported($"Unknown search parameter(s): {string.Join(", ", unknown)}. Supported: {string.Join(", ", _declared.Accepted)}.");
        }

        if (_declared.ByPatient && Patient is null)
        {
            return Outcomes.Required($"Search {_declared.Type} by patient (Patient/id).", FhirParameter.Patient.Name);
        }

        foreach (var parameter in _declared.Advertised.Where(p => p.Type == SearchParamType.Date))
        {
            if (query[parameter.Name].Any(v => DateFilter(v) is null))
            {
                var bad = query[parameter.Name].First(v => DateFilter(v) is null);
                return Outcomes.BadValue($"{parameter.Name} \"{bad}\" is not a FHIR date with an optional prefix (ge, le, gt, lt, eq).", parameter.Name);
            }
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
    public string Value(string parameter) => _context.Request.Query[parameter].ToString();

    /// <summary>Filters a query by every comparison of a date parameter (already read as valid) on one of its columns; eq means that whole day.</summary>
    public IQueryable<T> Dated<T>(IQueryable<T> query, string parameter, Expression<Func<T, DateTimeOffset>> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        foreach (var value in _context.Request.Query[parameter])
        {
            var (op, at) = DateFilter(value)!.Value;
            Expression Compare(ExpressionType type, DateTimeOffset v) => Expression.MakeBinary(type, field.Body, Expression.Constant(v));
            var body = op switch
            {
                "ge" => Compare(ExpressionType.GreaterThanOrEqual, at),
                "gt" => Compare(ExpressionType.GreaterThan, at),
                "le" => Compare(ExpressionType.LessThanOrEqual, at),
                "lt" => Compare(ExpressionType.LessThan, at),
                _ => Expression.AndAlso(Compare(ExpressionType.GreaterThanOrEqual, at), Compare(ExpressionType.LessThan, at.AddDays(1))),
            };
            query = query.Where(Expression.Lambda<Func<T, bool>>(body, field.Parameters));
        }

        return query;
    }

    /// <summary>For results built in memory: whether a resource passes <c>_lastUpdated</c> (on meta.lastUpdated) and, in a search by patient, <c>status</c>.</summary>
    public bool Keeps(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        foreach (var value in _context.Request.Query["_lastUpdated"])
        {
            var (op, at) = DateFilter(value)!.Value;
            var kept = resource.Meta?.LastUpdated is { } x && op switch
            {
                "ge" => x >= at,
                "gt" => x > at,
                "le" => x <= at,
                "lt" => x < at,
                _ => x >= at && x < at.AddDays(1),
            };
            if (!kept)
            {
                return false;
            }
        }

        // A search of a person's record also takes status (and a resource without one has none to match).
        return !_declared.ByPatient || StatusMatches(resource);
    }

    /// <summary><c>status</c> (a token; commas mean "any of"): the resource's own status code, compared exactly.</summary>
    public bool StatusMatches(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var wanted = _context.Request.Query["status"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (wanted.Count == 0)
        {
            return true;
        }

        var status = resource.TryGetValue("status", out var value) ? value as PrimitiveType : null;
        return status?.JsonValue?.ToString() is { } code && wanted.Contains(code);
    }

    /// <summary>This page of a query.</summary>
    public IQueryable<T> Paged<T>(IQueryable<T> query) => query.Skip(Offset).Take(Count);

    /// <summary>The search set of everything found (built in memory), this page of it.</summary>
    public Bundle Page(IReadOnlyList<Resource> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return SearchSet(_context, all.Count, Offset, Count, all.Skip(Offset).Take(Count));
    }

    /// <summary>The search set of one page, out of a total counted in the database.</summary>
    public Bundle Page(int total, IEnumerable<Resource> page) => SearchSet(_context, total, Offset, Count, page);

    /// <summary>An empty search set with this request's links: what someone outside a record is shown (issue 17).</summary>
    public static Bundle Empty(HttpContext context)
    {
        var (count, offset) = Paging(context);
        return SearchSet(context, 0, offset, count, []);
    }

    private static (int Count, int Offset) Paging(HttpContext context)
    {
        var count = int.TryParse(context.Request.Query["_count"], out var c) ? Math.Clamp(c, 1, MaxCount) : DefaultCount;
        var offset = int.TryParse(context.Request.Query["_offset"], out var o) ? Math.Max(0, o) : 0;
        return (count, offset);
    }

    private static Bundle SearchSet(HttpContext context, int total, int offset, int count, IEnumerable<Resource> resources)
    {
        var self = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
        string Link(int at)
        {
            var query = context.Request.Query.Where(q => q.Key is not ("_offset" or "_count"))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"_count={count}").Append($"_offset={at}");
            return $"{self}?{string.Join('&', query)}";
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(offset) });
        if (offset + count < total)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(offset + count) });
        }

        if (offset > 0)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = Link(Math.Max(0, offset - count)) });
        }

        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = FhirRoutes.FullUrl(context, resource.TypeName, resource.Id),
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return bundle;
    }

    private static (string Op, DateTimeOffset At)? DateFilter(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var op = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var date = op == "eq" && !char.IsLetter(value[0]) ? value : value[2..];
        return op is "ge" or "gt" or "le" or "lt" or "eq"
            && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (op, at.ToUniversalTime()) : null;
    }
}

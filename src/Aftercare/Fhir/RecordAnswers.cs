using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir;

/// <summary>
/// The two shapes of an answer about one person's record, shared by every resource of it: a read
/// (404 when there is none, otherwise checked and audited for that person) and a search by patient
/// built in memory (need-to-know before anything is loaded, then filtered, paged and audited).
/// </summary>
public static class RecordAnswers
{
    /// <summary>A read of one resource of a person's record.</summary>
    public static async Task<IResult> ReadAsync(
        HttpContext context, AftercareDbContext db, TimeProvider clock, string type, string id, Resource? resource, Guid? personId, CancellationToken ct,
        AuditAction action = AuditAction.DocumentViewed, IReadOnlyDictionary<Guid, Aftercare.App.Access.Relationship>? known = null)
    {
        if (resource is null || personId is not { } person)
        {
            return Outcomes.NotFound(type, id);
        }

        return await FhirAccess.AnswerAsync(context, db, clock, action, [person], $"fhir read {type}", () => FhirJson.Ok(resource), ct, known: known);
    }

    /// <summary>
    /// A search of one person's record: the person is checked before anything is counted, filtered
    /// or paged, so someone the caller may not open, and someone who does not exist, both read as
    /// an empty page (issue 17).
    /// </summary>
    public static async Task<IResult> SearchAsync(
        HttpContext context, AftercareDbContext db, TimeProvider clock, SearchDeclaration declared, Func<FhirSearch, Guid, CancellationToken, Task<List<Resource>>> load, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(load);
        if (!FhirSearch.Read(context, declared, out var search, out var refusal))
        {
            return refusal!;
        }

        var personId = search.Patient!.Value;
        if (await FhirAccess.CheckAsync(db, clock, context, [personId], AuditPurpose.DirectCare, ct) is { Refused: true } refused)
        {
            return await FhirAccess.RefuseAsync(context, db, clock, refused, ct);
        }

        var resources = (await load(search, personId, ct)).Where(search.Keeps).ToList();
        var page = await FhirIncludes.AddAsync(context, db, clock, search, search.Page(resources), ct);
        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.DocumentViewed, resources.Count > 0 ? [personId] : [], $"fhir search {declared.Type}",
            () => FhirJson.Ok(page), ct);
    }

    /// <summary>Loads a list of one kind and maps each to its resource, for <see cref="SearchAsync"/>.</summary>
    public static Func<FhirSearch, Guid, CancellationToken, Task<List<Resource>>> Each<T>(Func<Guid, CancellationToken, Task<List<T>>> load, Func<T, Resource> map) =>
        async (_, person, ct) => [.. (await load(person, ct)).Select(map)];

    /// <summary>
    /// One page of a short list that is not patient data (staff, sites, services), filtered by
    /// <c>_lastUpdated</c> once mapped; not audited. <paramref name="refuse"/> names a parameter value it does not take.
    /// </summary>
    public static async Task<IResult> ListAsync<T>(
        HttpContext context, SearchDeclaration declared, Func<FhirSearch, IQueryable<T>> query, Func<T, Resource> map, CancellationToken ct, Func<FhirSearch, IResult?>? refuse = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!FhirSearch.Read(context, declared, out var search, out var refusal))
        {
            return refusal!;
        }

        if (refuse?.Invoke(search) is { } refused)
        {
            return refused;
        }

        var all = (await query(search).ToListAsync(ct)).Select(map).Where(search.Keeps).ToList();
        return FhirJson.Ok(search.Page(all));
    }
}

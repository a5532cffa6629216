using Aftercare.App.Data;
using Aftercare.Domain.Programme;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Programme;

/// <summary>An aftercare episode as a FHIR EpisodeOfCare (its pathway as the type), its read and its search by patient.</summary>
public static class EpisodeOfCareFhir
{
    public const string Type = "EpisodeOfCare";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true };

    public const string PathwaySystem = "urn:aftercare:pathway";

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var episode = Guid.TryParse(id, out var g) ? await db.Episodes.AsNoTracking().FirstOrDefaultAsync(e => e.Id == g, ct) : null;
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, episode is null ? null : ToEpisodeOfCare(episode), episode?.PersonId, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) =>
        [.. (await db.Episodes.AsNoTracking().Where(e => e.PersonId == personId).OrderByDescending(e => e.Id).ToListAsync(token)).Select(e => (Resource)ToEpisodeOfCare(e))];

    public static EpisodeOfCare ToEpisodeOfCare(Episode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var resource = new EpisodeOfCare
        {
            Id = episode.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = episode.ClosedAt ?? episode.LastReEngagedAt ?? episode.EnrolledAt },
            Status = episode.Status == EpisodeStatus.Active ? EpisodeOfCare.EpisodeOfCareStatus.Active : EpisodeOfCare.EpisodeOfCareStatus.Finished,
            Patient = new ResourceReference($"Patient/{episode.PersonId}"),
            Period = new Period { StartElement = new FhirDateTime(episode.DischargedAt), EndElement = episode.ClosedAt is { } c ? new FhirDateTime(c) : null },
        };
        resource.Type.Add(new CodeableConcept(PathwaySystem, episode.PathwayId, episode.PathwayName));
        resource.Diagnosis.Add(new EpisodeOfCare.DiagnosisComponent { Condition = new ResourceReference($"Condition/{episode.PresentationId}") });
        return resource;
    }
}

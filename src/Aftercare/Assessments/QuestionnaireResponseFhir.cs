using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Documents;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Assessments;

/// <summary>
/// The psychosocial assessment as a Questionnaire (its definition: every needs and risks section)
/// and QuestionnaireResponse (one per assessment; each saved version a FHIR version), read (and
/// vread) and searched by patient. Narrative only: there is no item that scores (docs/domain.md rule 1).
/// </summary>
public static class QuestionnaireResponseFhir
{
    public const string Type = "QuestionnaireResponse";
    public const string QuestionnaireType = "Questionnaire";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true, Includes = [Presentations.EncounterFhir.IncludedBy(Type)] };

    public const string QuestionnaireId = "psychosocial-assessment";
    public const string QuestionnaireUrl = CanonicalUrls.Base + QuestionnaireType + "/" + QuestionnaireId;

    public static CapabilityStatement.ResourceComponent Capability()
    {
        var responses = Fhir.Capability.Resource(Searched, "Psychosocial assessments, narrative only; the definition is Questionnaire/psychosocial-assessment.");
        responses.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Vread });
        return responses;
    }

    public static Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        ReadVersion(id, null, context, db, clock, ct);

    /// <summary>An assessment at its current version or (vread) an earlier one.</summary>
    public static async Task<IResult> ReadVersion(string id, int? version, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var assessment = Guid.TryParse(id, out var g) ? await db.Assessments.AsNoTracking().Include(a => a.Revisions).FirstOrDefaultAsync(a => a.Id == g, ct) : null;
        var revision = version is { } v ? assessment?.Revisions.FirstOrDefault(r => r.Version == v) : assessment?.Revisions.MaxBy(r => r.Version);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, version is null ? id : $"{id}/{FhirRoutes.History}/{version}",
            assessment is null || revision is null ? null : ToResponse(assessment, revision), assessment?.PersonId, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) =>
        [.. (await db.Assessments.AsNoTracking().Include(a => a.Revisions).Where(a => a.PersonId == personId).OrderByDescending(a => a.Id).ToListAsync(token))
            .Select(a => (Resource)ToResponse(a, a.Revisions.MaxBy(r => r.Version)!))];

    /// <summary>
    /// A group's linkId, apart from its sections' (a group and a section are both called Formulation,
    /// and R4's que-2 wants every linkId unique).
    /// </summary>
    public static string GroupLinkId(SectionGroup group) => $"group-{group}";

    public static Questionnaire Definition()
    {
        var questionnaire = new Questionnaire
        {
            Id = QuestionnaireId,
            Url = QuestionnaireUrl,
            // 2: the groups' linkIds were made unique (group-...).
            Meta = new Meta { VersionId = "2" },
            Title = "Psychosocial assessment of needs and risks (NICE NG225)",
            Status = PublicationStatus.Active,
            SubjectType = [ResourceType.Patient],
        };
        foreach (var group in AssessmentSections.All.GroupBy(s => s.Group))
        {
            var item = new Questionnaire.ItemComponent { LinkId = GroupLinkId(group.Key), Text = group.Key.GroupTitle(), Type = Questionnaire.QuestionnaireItemType.Group };
            foreach (var section in group)
            {
                item.Item.Add(new Questionnaire.ItemComponent { LinkId = section.Section.ToString(), Text = section.Title, Type = Questionnaire.QuestionnaireItemType.Text });
            }

            questionnaire.Item.Add(item);
        }

        questionnaire.Item.Add(new Questionnaire.ItemComponent { LinkId = "agreedRisks", Text = "Risks agreed with the person", Type = Questionnaire.QuestionnaireItemType.String, Repeats = true });
        return questionnaire;
    }

    public static QuestionnaireResponse ToResponse(PsychosocialAssessment assessment, Revision<AssessmentContent> revision)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(revision);
        var content = revision.Content;
        var response = new QuestionnaireResponse
        {
            Id = assessment.Id.ToString(),
            Meta = new Meta { VersionId = revision.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = revision.SavedAt },
            Questionnaire = QuestionnaireUrl,
            Status = revision.Status == DocumentStatus.Completed
                ? (revision.AmendmentReason is null ? QuestionnaireResponse.QuestionnaireResponseStatus.Completed : QuestionnaireResponse.QuestionnaireResponseStatus.Amended)
                : QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Subject = new ResourceReference($"Patient/{assessment.PersonId}"),
            Encounter = new ResourceReference($"Encounter/{assessment.PresentationId}"),
            AuthoredElement = content.AssessedAt is { } at ? new FhirDateTime(at) : null,
        };
        foreach (var group in AssessmentSections.All.GroupBy(s => s.Group))
        {
            var item = new QuestionnaireResponse.ItemComponent { LinkId = GroupLinkId(group.Key), Text = group.Key.GroupTitle() };
            foreach (var section in group.Where(s => !string.IsNullOrWhiteSpace(content.Text(s.Section))))
            {
                var answer = new QuestionnaireResponse.ItemComponent { LinkId = section.Section.ToString(), Text = section.Title };
                answer.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = new FhirString(content.Text(section.Section)) });
                item.Item.Add(answer);
            }

            if (item.Item.Count > 0)
            {
                response.Item.Add(item);
            }
        }

        if (content.AgreedRisks.Count > 0)
        {
            var risks = new QuestionnaireResponse.ItemComponent { LinkId = "agreedRisks", Text = "Risks agreed with the person" };
            foreach (var risk in content.AgreedRisks)
            {
                risks.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = new FhirString(risk.Description) });
            }

            response.Item.Add(risks);
        }

        return response;
    }
}

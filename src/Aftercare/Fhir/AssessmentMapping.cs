using Aftercare.Domain.Assessments;
using Aftercare.Domain.Documents;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// The psychosocial assessment as a Questionnaire (its definition: every needs and risks section)
/// and QuestionnaireResponse (one per assessment; each saved version a FHIR version). Narrative
/// only: there is no item that scores (docs/domain.md rule 1).
/// </summary>
public static class AssessmentMapping
{
    public const string QuestionnaireId = "psychosocial-assessment";
    public const string QuestionnaireUrl = "https://aftercare.example/fhir/Questionnaire/psychosocial-assessment";

    public static Questionnaire Definition()
    {
        var questionnaire = new Questionnaire
        {
            Id = QuestionnaireId,
            Url = QuestionnaireUrl,
            Meta = new Meta { VersionId = "1" },
            Title = "Psychosocial assessment of needs and risks (NICE NG225)",
            Status = PublicationStatus.Active,
            SubjectType = [ResourceType.Patient],
        };
        foreach (var group in AssessmentSections.All.GroupBy(s => s.Group))
        {
            var item = new Questionnaire.ItemComponent { LinkId = group.Key.ToString(), Text = group.Key.GroupTitle(), Type = Questionnaire.QuestionnaireItemType.Group };
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
            var item = new QuestionnaireResponse.ItemComponent { LinkId = group.Key.ToString(), Text = group.Key.GroupTitle() };
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

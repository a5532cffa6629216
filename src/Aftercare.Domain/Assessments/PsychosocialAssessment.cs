using Aftercare.Domain.Documents;

namespace Aftercare.Domain.Assessments;

/// <summary>
/// A psychosocial assessment of needs and risks for one presentation (FHIR QuestionnaireResponse).
/// No field scores, rates or tiers the person (docs/domain.md rule 1).
/// </summary>
public sealed class PsychosocialAssessment : VersionedDocument<AssessmentContent>
{
    private PsychosocialAssessment()
        : base(AssessmentContent.Empty)
    {
    }

    public Guid PresentationId { get; private set; }

    public static Result<PsychosocialAssessment> Start(
        Guid personId, Guid presentationId, AssessmentContent content, bool complete, string by, DateTimeOffset now, DateTimeOffset arrivedAt)
    {
        ArgumentNullException.ThrowIfNull(content);
        var errors = complete ? content.CheckForCompletion(now, arrivedAt) : content.CheckForSaving(now);
        if (errors.Count > 0)
        {
            return Result<PsychosocialAssessment>.Failure(errors);
        }

        var assessment = new PsychosocialAssessment { Id = Guid.CreateVersion7(now), PersonId = personId, PresentationId = presentationId };
        assessment.Save(content, complete ? DocumentStatus.Completed : DocumentStatus.Draft, by, now, null);
        return assessment;
    }

    public IReadOnlyList<Error> Edit(
        AssessmentContent content, int basedOnVersion, bool complete, string? amendmentReason, string by, DateTimeOffset now, DateTimeOffset arrivedAt,
        out StaleEdit? stale) =>
        Edit(content, basedOnVersion, complete, amendmentReason, by, now,
            c => c.CheckForSaving(now), c => c.CheckForCompletion(now, arrivedAt), out stale);
}

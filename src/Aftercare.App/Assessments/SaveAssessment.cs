using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Assessments;

/// <summary>
/// Starts, saves, completes or amends the psychosocial assessment of a presentation. Completing it
/// records on the presentation when the assessment happened (QS34: time to assessment).
/// </summary>
public static class SaveAssessment
{
    public sealed record Command(Guid PresentationId, int BasedOnVersion, AssessmentContent Content, bool Complete, string? AmendmentReason);

    public static async Task<SaveOutcome<AssessmentContent>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var presentation = await db.Presentations.FirstOrDefaultAsync(p => p.Id == command.PresentationId, ct);
        if (presentation is null)
        {
            return new Missing<AssessmentContent>();
        }

        var assessment = await db.Assessments.FirstOrDefaultAsync(a => a.PresentationId == command.PresentationId, ct);
        if (assessment is null)
        {
            var started = PsychosocialAssessment.Start(presentation.PersonId, presentation.Id, command.Content, command.Complete, actor.Email, now, presentation.ArrivedAt);
            if (!started.IsSuccess)
            {
                return new Invalid<AssessmentContent>(started.Errors);
            }

            assessment = started.Value;
            db.Assessments.Add(assessment);
        }
        else
        {
            var errors = assessment.Edit(command.Content, command.BasedOnVersion, command.Complete, command.AmendmentReason, actor.Email, now, presentation.ArrivedAt, out var stale);
            if (errors.Count > 0)
            {
                return DocumentSaving.Refused(errors, stale, assessment.Content);
            }
        }

        if (assessment.Status == DocumentStatus.Completed && assessment.Content.AssessedAt is { } assessedAt)
        {
            presentation.RecordPsychosocialAssessment(assessedAt);
        }

        db.Audit(clock, actor, AuditAction.AssessmentSaved, AuditPurpose.DirectCare, presentation.PersonId, $"{assessment.Id} v{assessment.Version}");
        var presentationId = command.PresentationId;
        return await db.CommitAsync<PsychosocialAssessment, AssessmentContent>(assessment, command.BasedOnVersion,
            () => db.Assessments.AsNoTracking().FirstOrDefaultAsync(a => a.PresentationId == presentationId, ct), ct);
    }
}

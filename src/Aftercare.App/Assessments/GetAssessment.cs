using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Assessments;

/// <summary>The assessment of a presentation (or none yet), with every revision. Reading it is audited.</summary>
public static class GetAssessment
{
    public sealed record View(Person Person, Presentation Presentation, PsychosocialAssessment? Assessment, IReadOnlyList<Revision<AssessmentContent>> Revisions);

    public static async Task<View?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid presentationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var presentation = await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == presentationId, ct);
        if (presentation is null)
        {
            return null;
        }

        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == presentation.PersonId, ct);
        var assessment = await db.Assessments.AsNoTracking().Include(a => a.Revisions).FirstOrDefaultAsync(a => a.PresentationId == presentationId, ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, person.Id, assessment is null ? null : $"assessment {assessment.Id}");
        await db.SaveChangesAsync(ct);
        return new View(person, presentation, assessment, assessment?.Revisions.OrderByDescending(r => r.Version).ToList() ?? []);
    }

    /// <summary>The most recent assessment of the person, completed first: the one plans answer to.</summary>
    public static Task<PsychosocialAssessment?> LatestFor(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Assessments.AsNoTracking()
            .Where(a => a.PersonId == personId)
            .OrderByDescending(a => a.Status == DocumentStatus.Completed)
            .ThenByDescending(a => a.UpdatedAt)
            .FirstOrDefaultAsync(ct);
    }
}

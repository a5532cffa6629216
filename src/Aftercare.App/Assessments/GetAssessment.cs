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
        var view = await Read(db, presentationId, ct);
        if (view is not null)
        {
            await Viewed(db, clock, actor, view, ct);
        }

        return view;
    }

    /// <summary>
    /// The assessment without auditing a view: for a page handling a post, which audits what the post did, and a
    /// view (<see cref="Viewed"/>) only when it shows the assessment again (read once per request).
    /// </summary>
    public static async Task<View?> Read(AftercareDbContext db, Guid presentationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var presentation = await db.Presentations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == presentationId, ct);
        if (presentation is null)
        {
            return null;
        }

        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == presentation.PersonId, ct);
        var assessment = await db.Assessments.AsNoTracking().Include(a => a.Revisions).FirstOrDefaultAsync(a => a.PresentationId == presentationId, ct);
        return new View(person, presentation, assessment, assessment?.Revisions.OrderByDescending(r => r.Version).ToList() ?? []);
    }

    /// <summary>Audits that the assessment was shown. Whatever a refused save left unsaved is discarded first, never committed with it.</summary>
    public static async Task Viewed(AftercareDbContext db, TimeProvider clock, Actor actor, View view, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(view);
        db.ChangeTracker.Clear();
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, view.Person.Id, view.Assessment is null ? null : $"assessment {view.Assessment.Id}");
        await db.SaveChangesAsync(ct);
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

using Aftercare.Domain;
using Aftercare.Domain.Documents;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Documents;

/// <summary>What saving a clinical document came to.</summary>
public abstract record SaveOutcome<TContent>
    where TContent : class;

public sealed record Saved<TContent>(Guid Id, int Version, DocumentStatus Status) : SaveOutcome<TContent>
    where TContent : class;

public sealed record Invalid<TContent>(IReadOnlyList<Error> Errors) : SaveOutcome<TContent>
    where TContent : class;

/// <summary>Someone saved first: nothing was written, and here is what they saved, to compare.</summary>
public sealed record Stale<TContent>(StaleEdit Edit, TContent Current) : SaveOutcome<TContent>
    where TContent : class;

public sealed record Missing<TContent> : SaveOutcome<TContent>
    where TContent : class;

public static class DocumentSaving
{
    /// <summary>
    /// Commits, turning a lost race (the Version concurrency token, or a second first-save) into a
    /// stale edit that shows what the other person saved.
    /// </summary>
    public static async Task<SaveOutcome<TContent>> CommitAsync<TDocument, TContent>(
        this Data.AftercareDbContext db, TDocument document, int basedOnVersion, Func<Task<TDocument?>> reload, CancellationToken ct)
        where TDocument : VersionedDocument<TContent>
        where TContent : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(reload);
        try
        {
            await db.SaveChangesAsync(ct);
            return new Saved<TContent>(document.Id, document.Version, document.Status);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var current = await reload();
            if (current is null)
            {
                throw;
            }

            return new Stale<TContent>(new StaleEdit(basedOnVersion, current.Version, current.UpdatedAt, current.UpdatedBy), current.Content);
        }
    }

    public static SaveOutcome<TContent> Refused<TContent>(IReadOnlyList<Error> errors, StaleEdit? stale, TContent current)
        where TContent : class =>
        stale is not null ? new Stale<TContent>(stale, current) : new Invalid<TContent>(errors);
}

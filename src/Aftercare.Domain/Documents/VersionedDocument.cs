namespace Aftercare.Domain.Documents;

/// <summary>One saved version of a clinical document, kept for ever and comparable with the others.</summary>
public sealed class Revision<TContent>
    where TContent : class
{
    private Revision()
    {
        SavedBy = "";
        Content = null!;
    }

    internal Revision(Guid documentId, int version, DocumentStatus status, TContent content, string savedBy, DateTimeOffset savedAt, string? reason)
    {
        Id = Guid.CreateVersion7(savedAt);
        DocumentId = documentId;
        Version = version;
        Status = status;
        Content = content;
        SavedBy = savedBy;
        SavedAt = savedAt;
        AmendmentReason = reason;
    }

    public Guid Id { get; private set; }

    public Guid DocumentId { get; private set; }

    public int Version { get; private set; }

    public DocumentStatus Status { get; private set; }

    public TContent Content { get; private set; }

    public string SavedBy { get; private set; }

    public DateTimeOffset SavedAt { get; private set; }

    public string? AmendmentReason { get; private set; }
}

/// <summary>
/// A clinical document (assessment, care plan, safety plan): a draft, then completed (agreed),
/// then amended with a reason. Every save is a new version with a whole copy of the content; a
/// save based on an older version is refused, never merged or overwritten.
/// </summary>
public abstract class VersionedDocument<TContent>
    where TContent : class
{
    protected VersionedDocument(TContent empty)
    {
        UpdatedBy = "";
        Content = empty;
    }

    public Guid Id { get; protected set; }

    public Guid PersonId { get; protected set; }

    public DocumentStatus Status { get; private set; }

    /// <summary>Goes up by one at every save.</summary>
    public int Version { get; private set; }

    public TContent Content { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Display name of who saved last.</summary>
    public string UpdatedBy { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    private readonly List<Revision<TContent>> _revisions = [];

    /// <summary>Every saved version, appended only by <see cref="Edit"/> (EF fills the field).</summary>
    public IReadOnlyList<Revision<TContent>> Revisions => _revisions.AsReadOnly();

    /// <summary>
    /// Saves a draft (<paramref name="complete"/> false), completes it, or amends a completed one
    /// (a reason is then required). Returns the problems, or none when saved.
    /// </summary>
    protected IReadOnlyList<Error> Edit(
        TContent content, int basedOnVersion, bool complete, string? amendmentReason, string by, DateTimeOffset now,
        Func<TContent, IReadOnlyList<Error>> checkForSaving, Func<TContent, IReadOnlyList<Error>> checkForCompletion, out StaleEdit? stale)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(checkForSaving);
        ArgumentNullException.ThrowIfNull(checkForCompletion);
        stale = null;
        if (basedOnVersion != Version)
        {
            stale = new StaleEdit(basedOnVersion, Version, UpdatedAt, UpdatedBy);
            return [Error.Stale(stale.Message)];
        }

        var amending = Status == DocumentStatus.Completed;
        var errors = amending || complete ? checkForCompletion(content) : checkForSaving(content);
        if (amending && string.IsNullOrWhiteSpace(amendmentReason))
        {
            errors = [.. errors, new Error("amendmentReason", "This is already completed: say why you are amending it.")];
        }

        if (errors.Count == 0)
        {
            Save(content, amending || complete ? DocumentStatus.Completed : DocumentStatus.Draft, by, now, amending ? amendmentReason!.Trim() : null);
        }

        return errors;
    }

    protected void Save(TContent content, DocumentStatus status, string by, DateTimeOffset now, string? reason)
    {
        if (status == DocumentStatus.Completed && CompletedAt is null)
        {
            CompletedAt = now;
        }

        Status = status;
        Version++;
        Content = content;
        UpdatedAt = now;
        UpdatedBy = by;
        _revisions.Add(new Revision<TContent>(Id, Version, status, content, by, now, reason));
    }
}

namespace Aftercare.Domain.Documents;

/// <summary>Where a clinical document stands. Stored by name.</summary>
public enum DocumentStatus
{
    Draft,
    Completed,
}

/// <summary>
/// A save that was based on an older version: nothing is overwritten, and the person editing is
/// shown both versions (docs/architecture.md: clinical documents use optimistic concurrency).
/// </summary>
public sealed record StaleEdit(int YourVersion, int CurrentVersion, DateTimeOffset CurrentSavedAt, string CurrentSavedBy)
{
    public const string Field = "version";

    public string Message =>
        $"Someone else saved this (version {CurrentVersion}, by {CurrentSavedBy}) after you opened version {YourVersion}. "
        + "Nothing of yours was saved and nothing of theirs was overwritten: compare the two below and save again.";
}

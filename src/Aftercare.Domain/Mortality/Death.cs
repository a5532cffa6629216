namespace Aftercare.Domain.Mortality;

/// <summary>The cause of death as the linked mortality data give it. Stored by name.</summary>
public enum DeathCause
{
    Suicide,

    /// <summary>Undetermined intent (an open verdict); counted with suicide in most UK statistics.</summary>
    Undetermined,

    Other,
}

/// <summary>
/// A death linked from mortality data (issue #7): who, when, the cause, and which file it came
/// from. One per person. Imported by administrators only, audited, never typed in by hand.
/// </summary>
public sealed class Death
{
    public const int MaxSourceFile = 200;

    private Death()
    {
        SourceFile = "";
        SourceHash = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public DateOnly DateOfDeath { get; private set; }

    public DeathCause Cause { get; private set; }

    public DateTimeOffset ImportedAt { get; private set; }

    /// <summary>The file's name, without its folder.</summary>
    public string SourceFile { get; private set; }

    /// <summary>SHA-256 of the file, lower-case hex: which exact file a death came from.</summary>
    public string SourceHash { get; private set; }

    public static Death Record(Guid personId, DateOnly dateOfDeath, DeathCause cause, string sourceFile, string sourceHash, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PersonId = personId,
        DateOfDeath = dateOfDeath,
        Cause = cause,
        ImportedAt = now,
        SourceFile = sourceFile.Length > MaxSourceFile ? sourceFile[..MaxSourceFile] : sourceFile,
        SourceHash = sourceHash,
    };
}

namespace Aftercare.Domain.Plans;

/// <summary>
/// The person changed their safety plan in their own words (issue 14.3): which revision they made,
/// which version they started from, and whether the care team has talked it through with them yet.
/// Until then it is on the care team's worklist. Holds no clinical text: the words are in the revision.
/// </summary>
public sealed class PersonPlanChange
{
    private PersonPlanChange()
    {
    }

    public Guid Id { get; private set; }

    public Guid SafetyPlanId { get; private set; }

    public Guid PersonId { get; private set; }

    /// <summary>The version the person's change made.</summary>
    public int Version { get; private set; }

    /// <summary>The version their page showed when they began; below <see cref="Version"/> - 1 when the care team changed it in between.</summary>
    public int BasedOnVersion { get; private set; }

    public DateTimeOffset ChangedAt { get; private set; }

    public DateTimeOffset? TalkedThroughAt { get; private set; }

    /// <summary>The staff member's sign-in name.</summary>
    public string? TalkedThroughBy { get; private set; }

    public bool CareTeamChangedInBetween => BasedOnVersion < Version - 1;

    public static PersonPlanChange Record(Guid safetyPlanId, Guid personId, PersonChange change, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new PersonPlanChange
        {
            Id = Guid.CreateVersion7(now),
            SafetyPlanId = safetyPlanId,
            PersonId = personId,
            Version = change.Version,
            BasedOnVersion = change.BasedOnVersion,
            ChangedAt = now,
        };
    }

    /// <summary>Marks it talked through with the person; the first time counts.</summary>
    public void TalkedThrough(string by, DateTimeOffset now)
    {
        if (TalkedThroughAt is null)
        {
            (TalkedThroughAt, TalkedThroughBy) = (now, by);
        }
    }
}

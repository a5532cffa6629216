namespace Aftercare.Domain.Audit;

/// <summary>What was done. Stored by name.</summary>
public enum AuditAction
{
    SignedIn,
    SignInFailed,
    SignedOut,
    UserCreated,
    PersonRegistered,
    PersonViewed,
    PeopleSearched,
    PresentationRegistered,
    AuditSearched,
    DocumentViewed,
    AssessmentSaved,
    CarePlanSaved,
    SafetyPlanSaved,
    SafetyPlanPrinted,
    SafetyPlanLinkCreated,
    SafetyPlanLinkRevoked,
    SafetyPlanOpenedByLink,
    SharedWithGp,
    ShareRefused,
    EnrolledInAftercare,
    AftercareReEngaged,
    ContactRecorded,
    EpisodeClosed,
    ReferralSent,
    ReferralUpdated,
    InterventionRecorded,
    MedicationRecorded,
    MedicationRefused,
    MessageQueued,
    MessagesOptedOut,
    MessagePreferencesChanged,
    FhirRefused,
    AppAuthorised,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
    AuthenticatorReset,
}

/// <summary>
/// Who saw or changed what, when, and why (FHIR AuditEvent). Written in the same transaction as
/// the change it records. Holds ids, never names or clinical text: the audit is searched by
/// administrators who need not see the record itself.
/// </summary>
public sealed class AuditEvent
{
    private AuditEvent()
    {
        ActorId = "";
        Actor = "";
        Purpose = "";
    }

    public long Id { get; private set; }

    public DateTimeOffset At { get; private set; }

    /// <summary>The user's id, or empty for an unauthenticated attempt.</summary>
    public string ActorId { get; private set; }

    /// <summary>The user's sign-in name (email) at the time, so the audit reads without a join.</summary>
    public string Actor { get; private set; }

    public AuditAction Action { get; private set; }

    /// <summary>Which person's record, when the action touched one.</summary>
    public Guid? PersonId { get; private set; }

    /// <summary>The id of the thing acted on (a presentation, a user), when there is one.</summary>
    public string? EntityId { get; private set; }

    /// <summary>Why: "direct care", "administration", "security".</summary>
    public string Purpose { get; private set; }

    public static AuditEvent Record(
        DateTimeOffset at, string actorId, string actor, AuditAction action, string purpose,
        Guid? personId = null, string? entityId = null) => new()
        {
            At = at,
            ActorId = actorId,
            Actor = actor,
            Action = action,
            Purpose = purpose,
            PersonId = personId,
            EntityId = entityId,
        };
}

public static class AuditPurpose
{
    public const string DirectCare = "direct care";
    public const string Administration = "administration";
    public const string Security = "security";
}

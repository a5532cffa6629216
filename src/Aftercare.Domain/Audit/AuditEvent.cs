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
    RecordRefused,
    BreakGlassOpened,
    BreakGlassAccess,
    BreakGlassReviewed,
    CareTeamChanged,
    ConsentRecorded,
    ConsentWithdrawn,
    SafeguardingConcernRaised,
    SharedForSafeguarding,
    MeasuresViewed,
    MeasuresExported,
    RegistryExported,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
    AuthenticatorReset,
    FeedbackLinkCreated,
    FeedbackGiven,
    FeedbackGivenAnonymously,
    DeathRecorded,
    DeathsImported,
    PresentationEnteredInError,
    PersonPasskeySetUp,
    PersonSignedIn,
    PersonSignInCodeSent,
    PersonSignInCodeFailed,
    PersonSignedOut,
    PersonAccessRevoked,
    SafetyPlanChangedByThePerson,
    SafetyPlanChangeTalkedThrough,
    PersonMessageReceived,
    PersonMessageAnswered,
    PersonMessagesRead,
    TalkRequested,
    TalkRequestDone,
    SafetyPlanDraftLinkMade,
    AuditArchived,
}

/// <summary>
/// Who saw or changed what, when, and why (FHIR AuditEvent). Written in the same transaction as
/// the change it records. Holds ids, never names or clinical text: the audit is searched by
/// administrators who need not see the record itself.
/// <para>
/// Events form a hash chain (ADR 0008): each one is sealed with its position, the hash of the
/// event before it and a SHA-256 hash of its own content and that previous hash, so a changed,
/// removed, added or moved event breaks the chain where it happened.
/// </para>
/// </summary>
public sealed class AuditEvent
{
    /// <summary>The "previous hash" of the first event in the chain.</summary>
    public static readonly string Genesis = new('0', 64);

    private AuditEvent()
    {
        ActorId = "";
        Actor = "";
        Purpose = "";
        PreviousHash = "";
        Hash = "";
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

    /// <summary>The longest <see cref="EntityId"/> kept: a longer one (a refused FHIR request's path, a client id as sent) is cut here, the one place.</summary>
    public const int EntityIdLength = 100;

    /// <summary>The id of the thing acted on (a presentation, a user), when there is one.</summary>
    public string? EntityId { get; private set; }

    /// <summary>Why: "direct care", "administration", "security".</summary>
    public string Purpose { get; private set; }

    /// <summary>
    /// The event's position in the chain, from 1, with no gaps. Zero until it is sealed, in the
    /// transaction that saves it.
    /// </summary>
    public long Sequence { get; private set; }

    /// <summary>The hash of the event before it in the chain (<see cref="Genesis"/> for the first).</summary>
    public string PreviousHash { get; private set; }

    /// <summary>SHA-256, lower-case hex, of this event's content and <see cref="PreviousHash"/>; empty until sealed.</summary>
    public string Hash { get; private set; }

    public bool IsSealed => Hash.Length > 0;

    /// <summary>
    /// HMAC-SHA256, lower-case hex, of <see cref="Hash"/> under a key kept outside the database
    /// (ADR 0012): without the key no one can seal an event that verifies, however well they know
    /// the hash algorithm. Null until sealed.
    /// </summary>
    public string? Mac { get; private set; }

    /// <summary>Adds the keyed MAC of the event's hash, once it is sealed.</summary>
    public void Sign(string mac)
    {
        ArgumentException.ThrowIfNullOrEmpty(mac);
        if (!IsSealed)
        {
            throw new InvalidOperationException("An event is signed after it is sealed.");
        }

        Mac = mac;
    }

    /// <summary>Places the event in the chain after the event whose hash is <paramref name="previousHash"/>.</summary>
    public void Seal(long sequence, string previousHash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentException.ThrowIfNullOrEmpty(previousHash);
        Sequence = sequence;
        PreviousHash = previousHash;
        Hash = ComputeHash();
    }

    /// <summary>Whether <see cref="Hash"/> still matches the event's content and previous hash.</summary>
    public bool HashMatchesContent() => IsSealed && string.Equals(Hash, ComputeHash(), StringComparison.Ordinal);

    /// <summary>
    /// SHA-256 over an unambiguous encoding: a version tag, then each field as its UTF-8 length and
    /// bytes, with a null written differently from an empty string. The position number is not
    /// hashed: an event's place is proven by the previous hash it carries.
    /// </summary>
    public string ComputeHash()
    {
        var fields = new[]
        {
            "aftercare-audit-v1",
            At.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ActorId,
            Actor,
            Action.ToString(),
            Purpose,
            PersonId?.ToString("D"),
            EntityId,
            PreviousHash,
        };
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in fields)
        {
            if (field is null)
            {
                buffer.WriteByte(0);
                continue;
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(field);
            buffer.WriteByte(1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>
    /// An event as it was stored, every column as read back from an archive file (ADR 0017), so
    /// that its hash and MAC can be checked without the database.
    /// </summary>
    public static AuditEvent Restore(
        long id, DateTimeOffset at, string actorId, string actor, AuditAction action, string purpose, Guid? personId, string? entityId,
        long sequence, string previousHash, string hash, string? mac) => new()
        {
            Id = id,
            At = at.ToUniversalTime(),
            ActorId = actorId,
            Actor = actor,
            Action = action,
            Purpose = purpose,
            PersonId = personId,
            EntityId = entityId,
            Sequence = sequence,
            PreviousHash = previousHash,
            Hash = hash,
            Mac = mac,
        };

    public static AuditEvent Record(
        DateTimeOffset at, string actorId, string actor, AuditAction action, string purpose,
        Guid? personId = null, string? entityId = null) => new()
        {
            // Whole microseconds in UTC: what PostgreSQL stores, so the hash reads back the same.
            At = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero),
            ActorId = actorId,
            Actor = actor,
            Action = action,
            Purpose = purpose,
            PersonId = personId,
            EntityId = entityId is { Length: > EntityIdLength } ? entityId[..EntityIdLength] : entityId,
        };
}

public static class AuditPurpose
{
    public const string DirectCare = "direct care";
    public const string Administration = "administration";
    public const string Security = "security";
    public const string EmergencyAccess = "emergency access (break glass)";
    public const string Safeguarding = "safeguarding";
}

namespace Aftercare.App;

/// <summary>The signed-in user acting, as use cases need them: id, sign-in name and roles.</summary>
public sealed record Actor(string UserId, string Email, IReadOnlyCollection<string> Roles)
{
    /// <summary>The prefix of a backend service's user id (SMART client credentials).</summary>
    public const string BackendServicePrefix = "client:";

    public static Actor System { get; } = new("system", "aftercare (system)", []);

    /// <summary>The prefix of the person's own id when they act for themselves at /my.</summary>
    public const string PersonPrefix = "person:";

    /// <summary>
    /// The person themselves, signed in to their own space: their record's id, and no name (the audit
    /// holds ids, never names).
    /// </summary>
    public static Actor ThePerson(Guid personId) => new(PersonPrefix + personId.ToString("D"), "(the person themselves)", []);

    /// <summary>Whether this is the person acting for themselves, not a member of staff.</summary>
    public bool IsThePerson => UserId.StartsWith(PersonPrefix, StringComparison.Ordinal);

    /// <summary>A backend service (an ED system, say) acting for the organisation, not a member of staff.</summary>
    public bool IsBackendService => UserId.StartsWith(BackendServicePrefix, StringComparison.Ordinal);
}

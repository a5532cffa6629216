namespace Aftercare.App;

/// <summary>The signed-in user acting, as use cases need them: id, sign-in name and roles.</summary>
public sealed record Actor(string UserId, string Email, IReadOnlyCollection<string> Roles)
{
    /// <summary>The prefix of a backend service's user id (SMART client credentials).</summary>
    public const string BackendServicePrefix = "client:";

    public static Actor System { get; } = new("system", "aftercare (system)", []);

    /// <summary>A backend service (an ED system, say) acting for the organisation, not a member of staff.</summary>
    public bool IsBackendService => UserId.StartsWith(BackendServicePrefix, StringComparison.Ordinal);
}

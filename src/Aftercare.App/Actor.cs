namespace Aftercare.App;

/// <summary>The signed-in user acting, as use cases need them: id, sign-in name and roles.</summary>
public sealed record Actor(string UserId, string Email, IReadOnlyCollection<string> Roles)
{
    public static Actor System { get; } = new("system", "aftercare (system)", []);

    public bool IsIn(string role) => Roles.Contains(role);
}

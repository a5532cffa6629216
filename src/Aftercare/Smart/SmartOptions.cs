namespace Aftercare.Smart;

/// <summary><c>Aftercare:Smart</c> in appsettings.json: what user-facing apps may be given beyond their launch.</summary>
public sealed class SmartOptions
{
    public const string Section = "Aftercare:Smart";

    /// <summary>
    /// Whether an app asking for <c>offline_access</c> gets a refresh token that outlives the user's
    /// session (14 days, renewed at each use, ended by disabling the user or revoking the app). Off
    /// by default: the scope is then not granted (the token response's scope leaves it out) and the
    /// app gets only what <c>online_access</c> gives, a refresh token that ends with the session.
    /// </summary>
    public bool OfflineAccess { get; set; }

    public static SmartOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(Section).Get<SmartOptions>() ?? new SmartOptions();
    }
}

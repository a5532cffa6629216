using System.Security.Claims;
using Aftercare.Fhir;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aftercare.Smart;

/// <summary>What a SMART scope lets a token do to a resource type (SMART App Launch v2, section 3: c r u d s).</summary>
[Flags]
public enum ScopeRights
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    Search = 16,
    All = Create | Read | Update | Delete | Search,
}

/// <summary>
/// One SMART clinical scope, read once: <c>patient/CarePlan.rs</c> is the patient context, CarePlan,
/// read and search. SMART v2 spells permissions as an ordered subset of <c>cruds</c>; v1's
/// <c>.read</c> is <c>rs</c>, <c>.write</c> is <c>cud</c> and <c>.*</c> is all five.
/// Scopes with a query (<c>?category=...</c>, v2 finer-grained) are not supported and do not parse.
/// </summary>
public sealed record SmartScope(string Context, string ResourceType, ScopeRights Permissions)
{
    public const string PatientContext = "patient";
    public const string UserContext = "user";
    public const string SystemContext = "system";
    public const string AnyType = "*";

    /// <summary>null when the text is not a clinical scope this server understands.</summary>
    public static SmartScope? Parse(string? scope)
    {
        if (string.IsNullOrEmpty(scope) || scope.Split('/') is not [var context, var rest] || context is not (PatientContext or UserContext or SystemContext))
        {
            return null;
        }

        var dot = rest.LastIndexOf('.');
        if (dot <= 0 || !IsType(rest[..dot]))
        {
            return null;
        }

        var permissions = rest[(dot + 1)..] switch
        {
            "read" => ScopeRights.Read | ScopeRights.Search,
            "write" => ScopeRights.Create | ScopeRights.Update | ScopeRights.Delete,
            "*" => ScopeRights.All,
            var v2 => V2(v2),
        };
        return permissions == ScopeRights.None ? null : new SmartScope(context, rest[..dot], permissions);
    }

    private static bool IsType(string type) =>
        type == AnyType || (type.Length <= 64 && char.IsAsciiLetterUpper(type[0]) && type.All(char.IsAsciiLetter));

    /// <summary>"cruds" or an ordered subset of it, each letter at most once; anything else is no permission.</summary>
    private static ScopeRights V2(string letters)
    {
        const string order = "cruds";
        var result = ScopeRights.None;
        var at = 0;
        foreach (var letter in letters)
        {
            var index = order.IndexOf(letter, at);
            if (index < 0)
            {
                return ScopeRights.None;
            }

            result |= (ScopeRights)(1 << index);
            at = index + 1;
        }

        return result;
    }

    /// <summary>This scope grants everything <paramref name="asked"/> does (a client registered for it may be given that).</summary>
    public bool Covers(SmartScope asked)
    {
        ArgumentNullException.ThrowIfNull(asked);
        return Context == asked.Context && (ResourceType == AnyType || ResourceType == asked.ResourceType) && (Permissions & asked.Permissions) == asked.Permissions;
    }

    public bool Allows(string resourceType, ScopeRights permission) =>
        (ResourceType == AnyType || ResourceType == resourceType) && (Permissions & permission) == permission;
}

/// <summary>
/// The scopes of SMART as this server reads them: the one place that says which scopes exist, which a
/// client may be given (the authorize and token endpoints, <see cref="SmartTokenRules"/>) and what a
/// token's scopes allow at /fhir (the FHIR policies in <see cref="SmartSetup"/>).
/// </summary>
public static class SmartScopes
{
    public const string FhirUser = "fhirUser";
    public const string OnlineAccess = "online_access";

    /// <summary>
    /// Protocol scopes: not about records, never registered per client. openid and fhirUser give an
    /// identity token naming the user; online_access a refresh token that ends with the user's session;
    /// offline_access one that does not, when the server allows it (<see cref="SmartOptions.OfflineAccess"/>).
    /// </summary>
    public static readonly string[] Protocol = [Scopes.OpenId, FhirUser, OnlineAccess, Scopes.OfflineAccess];

    /// <summary>What the intake transaction (POST /fhir) creates: a token needs create on each.</summary>
    public static readonly string[] TransactionTypes = ["Patient", "Encounter", "Condition"];

    /// <summary>A user-facing app's scope: launch/patient, or a patient/ or user/ clinical scope.</summary>
    public static bool IsAppScope(string scope) =>
        scope == SmartSetup.LaunchPatientScope || SmartScope.Parse(scope) is { Context: SmartScope.PatientContext or SmartScope.UserContext };

    /// <summary>A backend service's scope: a system/ clinical scope.</summary>
    public static bool IsSystemScope(string scope) => SmartScope.Parse(scope) is { Context: SmartScope.SystemContext };

    /// <summary>May a client registered for <paramref name="registered"/> be given <paramref name="asked"/>? Protocol scopes are the server's to give, not the client's.</summary>
    public static bool MayHave(IEnumerable<string> registered, string asked)
    {
        ArgumentNullException.ThrowIfNull(registered);
        if (Protocol.Contains(asked))
        {
            return true;
        }

        var list = registered.ToList();
        if (list.Contains(asked, StringComparer.Ordinal))
        {
            return true;
        }

        return SmartScope.Parse(asked) is { } scope && list.Select(SmartScope.Parse).Any(r => r is not null && r.Covers(scope));
    }

    /// <summary>The scopes of a client's registration (OpenIddict keeps them as scope permissions).</summary>
    public static async Task<IReadOnlyList<string>> RegisteredAsync(IOpenIddictApplicationManager applications, object application, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(applications);
        return [.. (await applications.GetPermissionsAsync(application, ct)).Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal)).Select(p => p[Permissions.Prefixes.Scope.Length..])];
    }

    /// <summary>What a request at /fhir does, as a resource type and one permission; null for what no scope governs (metadata).</summary>
    public static (string Type, ScopeRights Permission)[]? Needed(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments[0] != FhirRoutes.Base.Trim('/'))
        {
            return null;
        }

        if (segments.Length == 1)
        {
            return HttpMethods.IsPost(request.Method) ? [.. TransactionTypes.Select(t => (t, ScopeRights.Create))] : null;
        }

        var type = segments[1];
        var permission = request.Method switch
        {
            _ when segments.Length == 2 && HttpMethods.IsGet(request.Method) => ScopeRights.Search,
            _ when segments.Length == 3 && segments[2] == "_search" => ScopeRights.Search,
            _ when HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) => ScopeRights.Read,
            _ when HttpMethods.IsPost(request.Method) => ScopeRights.Create,
            _ when HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) => ScopeRights.Update,
            _ when HttpMethods.IsDelete(request.Method) => ScopeRights.Delete,
            _ => ScopeRights.All,
        };
        return [(type, permission)];
    }

    /// <summary>Whether the caller came with a token (its scopes then limit it) rather than a sign-in cookie (its role alone does).</summary>
    public static bool ViaToken(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identities.Any(i => i.AuthenticationType == OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme) || user.HasClaim(c => c.Type == Claims.ClientId);
    }

    /// <summary>A signed-in person is limited by role alone; a token also by its scopes: every need of the request met by one of them.</summary>
    public static bool Allow(ClaimsPrincipal user, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        if (!ViaToken(user) || Needed(request) is not { } needed)
        {
            return true;
        }

        var scopes = user.GetScopes().Select(SmartScope.Parse).OfType<SmartScope>().ToList();
        return needed.All(n => scopes.Any(s => s.Allows(n.Type, n.Permission)));
    }

    /// <summary>In words, for a refusal: what the request would need, e.g. "search of Patient".</summary>
    public static string Describe(HttpRequest request) =>
        Needed(request) is { } needed ? string.Join(", ", needed.Select(n => $"{n.Permission.ToString().ToLowerInvariant()} of {n.Type}")) : "this request";
}

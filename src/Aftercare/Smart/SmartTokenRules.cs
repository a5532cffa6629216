using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Aftercare.Smart;

/// <summary>
/// Where OpenIddict 7.8's answers at the token endpoint differ from what RFC 6749 and SMART tell a
/// client to expect (issue 13.3), each rule a small handler in OpenIddict's own pipeline.
/// </summary>
public static class SmartTokenRules
{
    public static readonly OpenIddictServerHandlerDescriptor[] Descriptors =
        [ScopeNotRegistered.Descriptor, OnlineAccessRefresh.Descriptor, AlwaysNameScopes.Descriptor, InvalidClientWithoutHttpAuthentication.Descriptor];

    /// <summary>The scopes asked for that this client may not have (<see cref="SmartScopes.MayHave"/>): unknown ones, and ones beyond its registration.</summary>
    private static async Task<List<string>> NotAllowed(IOpenIddictApplicationManager applications, string clientId, IEnumerable<string> asked, CancellationToken ct)
    {
        if (await applications.FindByClientIdAsync(clientId, ct) is not { } application)
        {
            return [];
        }

        var registered = await SmartScopes.RegisteredAsync(applications, application, ct);
        return [.. asked.Where(s => !SmartScopes.MayHave(registered, s))];
    }

    /// <summary>
    /// A client asking for a scope it was not registered for is told <c>invalid_scope</c> (RFC 6749
    /// section 5.2), not OpenIddict's <c>invalid_request</c>. A registered scope covers the narrower
    /// ones under it (<c>patient/*.read</c> covers <c>patient/CarePlan.rs</c>), so this is the check,
    /// in place of OpenIddict's exact-string one (turned off in <see cref="SmartSetup"/>).
    /// </summary>
    public sealed class ScopeNotRegistered(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<ScopeNotRegistered>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (string.IsNullOrEmpty(context.ClientId))
            {
                return;
            }

            var refused = await NotAllowed(applications, context.ClientId, context.Request.GetScopes(), context.CancellationToken);
            if (refused.Count > 0)
            {
                context.Reject(Errors.InvalidScope, $"This client is not registered for {string.Join(" ", refused)}.");
            }
        }
    }

    /// <summary>
    /// At the authorize endpoint, what OpenIddict's own checks leave to this server: a scope the client
    /// may not have is <c>invalid_scope</c>; and <c>aud</c> must name this server's FHIR base, as SMART
    /// App Launch requires, so that a user is never asked to let an app take a token meant for another
    /// server. Called by the endpoint itself (<see cref="AppLaunch.Authorize"/>), not from OpenIddict's
    /// validation, because OpenIddict answers a refusal during validation on its own page and only
    /// answers one from the endpoint to the app's redirect address, as RFC 6749 section 4.1.2.1 says.
    /// </summary>
    public static async Task<(string Error, string Description)?> AuthorizeRefusal(
        IOpenIddictApplicationManager applications, Aftercare.Hosting.PublicAddress address, OpenIddictRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refused = string.IsNullOrEmpty(request.ClientId) ? [] : await NotAllowed(applications, request.ClientId, request.GetScopes(), ct);
        if (refused.Count > 0)
        {
            return (Errors.InvalidScope, $"This app is not registered for {string.Join(" ", refused)}.");
        }

        var fhir = SmartSetup.FhirAudience(address);
        var aud = (string?)request["aud"];
        if (string.IsNullOrWhiteSpace(aud))
        {
            return (Errors.InvalidRequest, $"aud is required: the FHIR server the app wants a token for ({fhir}).");
        }

        return string.Equals(aud.TrimEnd('/'), fhir.TrimEnd('/'), StringComparison.Ordinal)
            ? null : (Errors.InvalidRequest, $"aud names another server: this server's FHIR base is {fhir}.");
    }

    /// <summary>
    /// OpenIddict gives a refresh token for offline_access only. SMART's online_access asks for one
    /// that lasts while the user's session does: given here, with a lifetime up to the session's end
    /// (set by the token endpoint) and refused at refresh once the session has ended.
    /// </summary>
    public sealed class OnlineAccessRefresh : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<OnlineAccessRefresh>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Principal?.HasScope(SmartScopes.OnlineAccess) == true)
            {
                context.GenerateRefreshToken = context.IncludeRefreshToken = true;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The token response always says which scopes were granted. OpenIddict leaves <c>scope</c> out when
    /// they are the scopes asked for, which RFC 6749 allows but SMART (and many clients) expect.
    /// </summary>
    public sealed class AlwaysNameScopes : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AlwaysNameScopes>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (context.IncludeAccessToken && context.AccessTokenPrincipal is { } principal && string.IsNullOrEmpty(context.Response.Scope))
            {
                context.Response.Scope = string.Join(" ", principal.GetScopes());
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// RFC 6749 section 5.2: <c>invalid_client</c> is a 401 with a <c>WWW-Authenticate</c> challenge only
    /// for a client that authenticated with an HTTP scheme (an Authorization header); otherwise 400.
    /// A SMART backend service authenticates with a signed assertion in the form, so a refused
    /// assertion is 400 <c>invalid_client</c>. OpenIddict answers 401 with a Basic challenge, naming a
    /// scheme this server does not take.
    /// </summary>
    public sealed class InvalidClientWithoutHttpAuthentication : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<InvalidClientWithoutHttpAuthentication>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachWwwAuthenticateHeader<ApplyTokenResponseContext>.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var http = context.Transaction.GetHttpRequest()?.HttpContext;
            if (http is not null && context.Response.Error == Errors.InvalidClient && http.Request.Headers.Authorization.Count == 0)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                http.Response.Headers.WWWAuthenticate = default;
            }

            return ValueTask.CompletedTask;
        }
    }
}

using System.Security.Claims;
using System.Text.Json;
using Aftercare.Access;
using Aftercare.App.Data;
using Aftercare.App.People;
using Aftercare.Domain.People;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Aftercare.My;

/// <summary>
/// The person's own sign-in to /my, apart from staff's: its own cookie scheme (a person's cookie
/// never opens a staff route, a staff cookie never opens /my), a short sliding session whose row is
/// checked on every request (revoking access ends it at once), passkeys with Fido2, and no password.
/// </summary>
public static class PersonSignIn
{
    public const string Scheme = "aftercare-person";

    public const string Policy = "the-person";

    public const string PersonClaim = "aftercare:person";

    public const string SessionClaim = "aftercare:person-session";

    /// <summary>Short: a phone left on a table signs out after this long unused.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(20);

    /// <summary>How long a passkey ceremony's challenge waits for the phone's answer.</summary>
    private static readonly TimeSpan CeremonyLifetime = TimeSpan.FromMinutes(5);

    public static IServiceCollection AddPersonSignIn(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddHttpClient<App.People.PersonCodeSender>();
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "aftercare-my";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/my";
            o.LoginPath = "/my/signin";
            o.LogoutPath = "/my/signout";
            o.AccessDeniedPath = "/my/signin";
            o.ExpireTimeSpan = IdleTimeout;
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var db = ctx.HttpContext.RequestServices.GetRequiredService<AftercareDbContext>();
                if (PersonOf(ctx.Principal) is not { } who || !await PersonAccess.SessionIsOpenAsync(db, who.PersonId, who.SessionId, ctx.HttpContext.RequestAborted))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(Scheme);
                }
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(PersonClaim));
        return services;
    }

    /// <summary>The person and session a principal names, when it is a person's.</summary>
    public static (Guid PersonId, Guid SessionId)? PersonOf(ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(PersonClaim), out var person) && Guid.TryParse(user?.FindFirstValue(SessionClaim), out var session)
            ? (person, session) : null;

    public static Task SignInAsync(HttpContext context, PersonSession session)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(session);
        var identity = new ClaimsIdentity([new Claim(PersonClaim, session.PersonId.ToString("D")), new Claim(SessionClaim, session.Id.ToString("D"))], Scheme, PersonClaim, null);
        return context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }

    public static IEndpointRouteBuilder MapPersonSignIn(this IEndpointRouteBuilder app)
    {
        var passkey = app.MapGroup("/my/passkey").WithMetadata(new NoRecordAttribute()).AllowAnonymous();
        passkey.MapPost("/setup-options", SetupOptions).DisableAntiforgery();
        passkey.MapPost("/setup", Setup).DisableAntiforgery();
        passkey.MapPost("/signin-options", SignInOptions).DisableAntiforgery();
        passkey.MapPost("/signin", SignInWithPasskey).DisableAntiforgery();
        // Issue 14.8: a contact still to come, as a calendar file: the n-th in the signed-in person's own list (no ids under /my).
        app.MapGet("/my/calendar/{number:int}", CalendarFile).RequireAuthorization(Policy).WithMetadata(new NoRecordAttribute());
        return app;
    }

    private static async Task<IResult> CalendarFile(int number, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (PersonOf(context.User) is not { } who
            || (await App.People.WhatIsNext.Handle(db, who.PersonId, clock.GetUtcNow(), ct)).Contacts.ElementAtOrDefault(number - 1) is not { } contact)
        {
            return Results.NotFound();
        }

        var ics = App.Messaging.CaringMessages.CalendarFile(contact.Id, contact.At, "PUBLISH");
        return Results.File(System.Text.Encoding.UTF8.GetBytes(ics), "text/calendar; charset=utf-8", "aftercare-check-in.ics");
    }

    public sealed record SetupRequest(string? Token, string? DeviceName);

    public sealed record Ceremony(string State, JsonElement Options);

    public sealed record Answer(string? State, JsonElement Response);

    private sealed record PendingSetup(Guid PersonId, string Token, string DeviceName, string OptionsJson);

    private sealed record PendingSignIn(string OptionsJson);

    private static Fido2 Fido(HttpContext context)
    {
        // The relying party is the address the phone sees: host filtering allows only this service's names.
        var origin = $"{context.Request.Scheme}://{context.Request.Host}";
        return new Fido2(new Fido2Configuration
        {
            RPID = context.Request.Host.Host,
            RPName = "Aftercare",
            Origins = new HashSet<string>([origin]),
        });
    }

    private static IResult Refused(string message) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: message);

    private static async Task<IResult> SetupOptions(SetupRequest request, HttpContext context, AftercareDbContext db, TimeProvider clock, IMemoryCache cache, CancellationToken ct)
    {
        if (await PersonAccess.PersonOfLinkAsync(db, clock, request.Token, ct) is not { } personId)
        {
            return Refused("This link is not available. Ask your care team for a new one.");
        }

        var name = PersonPasskey.CleanDeviceName(request.DeviceName);
        if (!name.IsSuccess)
        {
            return Refused(name.Errors[0].Message);
        }

        var existing = await db.PersonPasskeys.Where(p => p.PersonId == personId && p.RevokedAt == null).Select(p => p.CredentialId).ToListAsync(ct);
        // No name on the phone's list of passkeys: "My safety plan" is all it says.
        var options = Fido(context).RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = personId.ToByteArray(), Name = "My safety plan", DisplayName = "My safety plan" },
            ExcludeCredentials = [.. existing.Select(id => new PublicKeyCredentialDescriptor(id))],
            AuthenticatorSelection = new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Required, UserVerification = UserVerificationRequirement.Required },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = options.ToJson();
        var state = Domain.PrivateLinkToken.New().Token;
        cache.Set("person-passkey-setup:" + state, new PendingSetup(personId, request.Token!, name.Value, json), CeremonyLifetime);
        return Results.Ok(new Ceremony(state, JsonDocument.Parse(json).RootElement));
    }

    private static async Task<IResult> Setup(Answer answer, HttpContext context, AftercareDbContext db, TimeProvider clock, IMemoryCache cache, CancellationToken ct)
    {
        if (Take<PendingSetup>(cache, "person-passkey-setup:", answer.State) is not { } pending
            || await PersonAccess.PersonOfLinkAsync(db, clock, pending.Token, ct) != pending.PersonId)
        {
            return Refused("Setting up took too long, or the link is no longer available. Try again.");
        }

        RegisteredPublicKeyCredential made;
        try
        {
            var response = answer.Response.Deserialize<AuthenticatorAttestationRawResponse>()
                ?? throw new Fido2VerificationException("empty");
            made = await Fido(context).MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(pending.OptionsJson),
                IsCredentialIdUniqueToUserCallback = async (args, token) => await PersonAccess.FindPasskeyAsync(db, args.CredentialId, token) is null,
            }, ct);
        }
        catch (Exception e) when (e is Fido2VerificationException or JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return Refused("This phone could not set up a passkey. You can ask for a code instead.");
        }

        var passkey = await PersonAccess.AddPasskeyAsync(db, clock, pending.PersonId, made.Id, made.PublicKey, made.SignCount, pending.DeviceName, ct);
        var session = await PersonAccess.StartSessionAsync(db, clock, pending.PersonId, passkey, PersonSignInMethod.Passkey, ct);
        await SignInAsync(context, session);
        return Results.Ok(new { next = "/my" });
    }

    private static IResult SignInOptions(HttpContext context, IMemoryCache cache)
    {
        // No list of passkeys to choose from: the phone offers the one it holds for this service.
        var options = Fido(context).GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [],
            UserVerification = UserVerificationRequirement.Required,
        });
        var json = options.ToJson();
        var state = Domain.PrivateLinkToken.New().Token;
        cache.Set("person-passkey-signin:" + state, new PendingSignIn(json), CeremonyLifetime);
        return Results.Ok(new Ceremony(state, JsonDocument.Parse(json).RootElement));
    }

    private static async Task<IResult> SignInWithPasskey(Answer answer, HttpContext context, AftercareDbContext db, TimeProvider clock, IMemoryCache cache, CancellationToken ct)
    {
        const string NotRecognised = "This passkey is not recognised. It may have been removed by your care team. You can ask for a code instead.";
        if (Take<PendingSignIn>(cache, "person-passkey-signin:", answer.State) is not { } pending)
        {
            return Refused("Signing in took too long. Try again.");
        }

        try
        {
            var response = answer.Response.Deserialize<AuthenticatorAssertionRawResponse>()
                ?? throw new Fido2VerificationException("empty");
            var passkey = await PersonAccess.FindPasskeyAsync(db, response.RawId, ct);
            if (passkey is null)
            {
                return Refused(NotRecognised);
            }

            var verified = await Fido(context).MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(pending.OptionsJson),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(args.UserHandle.AsSpan().SequenceEqual(passkey.PersonId.ToByteArray())),
            }, ct);
            passkey.Used(verified.SignCount, clock.GetUtcNow());
            var session = await PersonAccess.StartSessionAsync(db, clock, passkey.PersonId, passkey, PersonSignInMethod.Passkey, ct);
            await SignInAsync(context, session);
            return Results.Ok(new { next = "/my" });
        }
        catch (Exception e) when (e is Fido2VerificationException or JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return Refused(NotRecognised);
        }
    }

    private static T? Take<T>(IMemoryCache cache, string prefix, string? state) where T : class
    {
        if (string.IsNullOrEmpty(state) || state.Length > Domain.PrivateLinkToken.MaxLength || !cache.TryGetValue(prefix + state, out T? pending))
        {
            return null;
        }

        // Each challenge is answered once.
        cache.Remove(prefix + state);
        return pending;
    }
}

internal static partial class PersonSignInLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A one-time sign-in code could not be sent ({ExceptionType})")]
    public static partial void CodeNotSent(ILogger logger, string exceptionType);
}

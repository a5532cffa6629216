using Aftercare.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Aftercare.Account;

public static class AccountApi
{
    /// <summary>Code: the 6-digit code from the authenticator app, needed by every account.</summary>
    public sealed record SignInRequest(string? Email, string? Password, string? Code = null);

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", SignOutFromPage).RequireAuthorization().WithMetadata(new NoRecordAttribute());
        var session = app.MapGroup("/api/session").WithMetadata(new NoRecordAttribute());
        session.MapPost("/", StartSession).DisableAntiforgery();
        session.MapDelete("/", EndSession).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Password and code in one request. Every refusal is a 401 ProblemDetails written without a
    /// trace id, so an unknown email and a wrong password get byte-identical answers.
    /// </summary>
    public static async Task<Results<NoContent, JsonHttpResult<ProblemDetails>>> StartSession(
        SignInRequest request, HttpContext context, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock, SignInThrottle throttle)
    {
        ArgumentNullException.ThrowIfNull(request);
        var password = await SignInUser.CheckPassword(signIn, db, clock, throttle, RateLimits.ClientAddress(context), request.Email, request.Password);
        if (password.Errors is [{ Field: SignInUser.ThrottledField } throttled])
        {
            context.Response.Headers.RetryAfter = ((int)throttle.Period.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Json(
                new ProblemDetails { Title = "Too many requests.", Detail = throttled.Message, Status = StatusCodes.Status429TooManyRequests },
                contentType: "application/problem+json", statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (!password.IsSuccess)
        {
            return Refused(SignInUser.Failed);
        }

        var user = password.Value.User;
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            if (password.Value.HasAuthenticator)
            {
                return Refused(SignInUser.CodeNeeded, "A code is needed.");
            }

            // Setting up an app through the API, as the page does: the key, then a request with its code.
            var key = await SignInUser.EnrolmentKey(signIn.UserManager, user);
            return Refused(SignInUser.EnrolmentNeeded, "An authenticator app is needed.", new Dictionary<string, object?>
            {
                ["authenticatorKey"] = key,
                ["authenticatorUri"] = Authenticator.OtpAuthAddress(user.Email ?? "", key),
            });
        }

        var signedIn = await SignInUser.CheckCode(signIn, db, clock, user, request.Code);
        return signedIn.IsSuccess ? TypedResults.NoContent() : Refused(SignInUser.CodeFailed);
    }

    private static JsonHttpResult<ProblemDetails> Refused(string detail, string title = "Sign-in failed.", Dictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Title = title, Detail = detail, Status = StatusCodes.Status401Unauthorized };
        foreach (var (name, value) in extensions ?? [])
        {
            problem.Extensions[name] = value;
        }

        return TypedResults.Json(problem, contentType: "application/problem+json", statusCode: StatusCodes.Status401Unauthorized);
    }

    public static async Task<NoContent> EndSession(HttpContext context, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock)
    {
        await SignOut(context, signIn, db, clock);
        return TypedResults.NoContent();
    }

    public static async Task<RedirectHttpResult> SignOutFromPage(
        HttpContext context, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock, [FromForm] string? unused = null)
    {
        await SignOut(context, signIn, db, clock);
        return TypedResults.Redirect("/signin?signedout=1");
    }

    /// <summary>
    /// Deleting the cookie in this browser is not enough: a copy of it (a proxy's log, a shared
    /// computer, malware) would still work. The account's security stamp changes, so every cookie
    /// issued before now is refused from the next request on, on every device.
    /// </summary>
    private static async Task SignOut(HttpContext context, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock)
    {
        var actor = context.User.ToActor();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await EndSessions.Handle(db, actor.UserId);
        db.Audit(clock, actor, AuditAction.SignedOut, AuditPurpose.Security);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        await signIn.SignOutAsync();
    }
}

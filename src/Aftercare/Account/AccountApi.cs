using Aftercare.Access;
using Aftercare.App.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Aftercare.Account;

public static class AccountApi
{
    public sealed record SignInRequest(string? Email, string? Password);

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", SignOutFromPage).RequireAuthorization().WithMetadata(new NoRecordAttribute());
        var session = app.MapGroup("/api/session").WithMetadata(new NoRecordAttribute());
        session.MapPost("/", StartSession).DisableAntiforgery();
        session.MapDelete("/", EndSession).RequireAuthorization();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> StartSession(
        SignInRequest request, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock)
    {
        var result = await SignInUser.Handle(signIn, db, clock, request.Email, request.Password);
        return result.IsSuccess
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "Sign-in failed.", detail: SignInUser.Failed, statusCode: StatusCodes.Status401Unauthorized);
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

    private static async Task SignOut(HttpContext context, SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock)
    {
        db.Audit(clock, context.User.ToActor(), AuditAction.SignedOut, AuditPurpose.Security);
        await db.SaveChangesAsync();
        await signIn.SignOutAsync();
    }
}

using Aftercare.Fhir;
using System.Text.Json.Serialization;
using Aftercare.Access;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.FileProviders;

namespace Aftercare.Hosting;

public static class WebSetup
{
    public static IServiceCollection AddAftercareWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<Documents.PdfRenderer>();
        services.AddScoped<Programme.WorklistBadge>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "aftercare-af";
            // Secure whenever the request came over https (directly, or as the proxy on this machine says): issue 17.12b.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddProblemDetails();
        // The limiter's services; its two limits are set where the pipeline uses them (RateLimits.cs).
        services.AddRateLimiter(_ => { });
        services.AddExceptionHandler<UnexpectedErrorHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }

    /// <summary>
    /// The one Content-Security-Policy. Forms post to this site only; the SMART consent page alone
    /// also lets its answer redirect to the app's registered address (browsers apply form-action to
    /// the redirects that follow a form).
    /// </summary>
    public static string ContentSecurityPolicy(Uri? alsoFormActionTo) =>
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        + (alsoFormActionTo is null ? "" : " " + alsoFormActionTo.GetLeftPart(UriPartial.Authority));

    public static WebApplication UseAftercarePipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Behind a reverse proxy on this machine (loopback only, the default): the client's address
        // for rate limits and the scheme for HSTS come from X-Forwarded-For and X-Forwarded-Proto.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        app.UseExceptionHandler();
        // Under /fhir every answer is an OperationOutcome: body size, media types, unknown routes (Fhir/FhirEdge.cs).
        app.UseFhirEdge();
        // Pages answer an empty error status with a page that says what happened; the API keeps ProblemDetails, FHIR its OperationOutcome.
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api") && !c.Request.Path.StartsWithSegments(FhirRoutes.Base), b => b.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));
        app.Use(async (context, next) =>
        {
            // Clinical pages are never cached by a shared browser, framed, or sniffed.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy(null);
            if (context.Request.IsHttps)
            {
                // Sent on https only (browsers ignore it on http); a year, as HSTS preload lists expect.
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            if (!context.Request.Path.StartsWithSegments("/assets"))
            {
                // Exactly what antiforgery sets, so it need not override (and warn).
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
            }

            await next(context);
        });
        // The stylesheet is embedded in the binary: one file to ship, served the same from tests and `dotnet run`.
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(WebSetup).Assembly, "Aftercare.Assets"),
            RequestPath = "/assets",
        });
        // Routing after status-code pages, so a re-executed /status/404 finds its page.
        app.UseRouting();
        app.UseSignInRateLimit();
        app.UseAuthentication();
        app.UseApiRateLimit();
        app.UsePasswordChangeWhenRequired();
        app.UseAuthorization();
        app.UseNeedToKnow();
        app.UseAntiforgery();
        app.Use(async (context, next) =>
        {
            // A form without its token (or with another's) is refused here, plainly, for every
            // endpoint alike; left to the endpoint, an empty 400 would be re-run as a status page
            // with the failed check still attached.
            if (context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(
                    "<!doctype html><html lang=\"en\"><head><title>Form not accepted - Aftercare</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>"
                    + "<body><main class=\"page\"><h1>Form not accepted</h1><p>This form was not sent from an Aftercare page open in this browser, or the page was open too long. "
                    + "Nothing was changed. Go back, reload the page and try again.</p><p><a href=\"/\">Back to the start</a></p></main></body></html>");
                return;
            }

            await next(context);
        });
        return app;
    }
}

/// <summary>
/// The unexpected becomes a ProblemDetails with a reference, never the exception's text: messages
/// can carry values from the record, and patient data stays in the database.
/// </summary>
internal sealed partial class UnexpectedErrorHandler(ILogger<UnexpectedErrorHandler> logger, IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var reference = httpContext.TraceIdentifier;
        LogUnexpected(logger, exception.GetType().Name, reference, Where(exception));
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        // A value that does not decrypt fails closed (ADR 0009): nothing of the record is shown.
        var unreadable = Unreadable(exception) is not null;
        var title = unreadable ? "This record could not be decrypted" : "Something went wrong";
        var explanation = unreadable
            ? "Part of this record could not be decrypted; it may have been altered. Nothing of it is shown. Tell your administrator this reference"
            : "Nothing you entered has been lost that was already saved. Try again; if it keeps happening, tell your administrator this reference";
        if (httpContext.Request.Path.StartsWithSegments(FhirRoutes.Base))
        {
            await Outcomes.Unexpected(reference).ExecuteAsync(httpContext);
            return true;
        }

        if (!httpContext.Request.Path.StartsWithSegments("/api"))
        {
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            await httpContext.Response.WriteAsync(
                $"<!doctype html><html lang=\"en\"><head><title>{title} - Aftercare</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>"
                + $"<body><main class=\"page\"><h1>{title}</h1><p>{explanation}: <code>{System.Net.WebUtility.HtmlEncode(reference)}</code>.</p>"
                + "<p><a href=\"/\">Back to the start</a></p></main></body></html>", cancellationToken);
            return true;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = unreadable ? "This record could not be decrypted; it may have been altered." : "Something went wrong on our side.",
                Detail = unreadable ? $"Reference {reference}. Nothing of the record is shown." : $"Reference {reference}. Nothing was changed by this request unless it said otherwise.",
            },
        });
    }

    private static App.Data.RecordUnreadableException? Unreadable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is App.Data.RecordUnreadableException unreadable)
            {
                return unreadable;
            }
        }

        return null;
    }

    /// <summary>The exception's frames and those of its inner exceptions: method names, never messages or values.</summary>
    private static string Where(Exception exception)
    {
        var frames = new System.Text.StringBuilder();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            frames.Append(e.GetType().FullName).Append(Environment.NewLine).Append(new System.Diagnostics.StackTrace(e, false));
        }

        return frames.ToString();
    }

    // Only the exception's type, its frames and the request reference are logged: never its message,
    // which may quote what was entered.
    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType} (reference {Reference})\n{Frames}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string reference, string frames);
}

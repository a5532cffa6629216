using Microsoft.AspNetCore.Diagnostics;

namespace Aftercare.Hosting;

public static class PageStatus
{
    /// <summary>
    /// Sets the status of a page that explains itself (a refused form, a stale edit), and keeps
    /// the generic status-code page from replacing what the page says. A 404 is the exception:
    /// Blazor leaves its body empty for the status-code page (/status/404) to fill.
    /// </summary>
    public static void Status(this HttpContext context, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        if (statusCode != StatusCodes.Status404NotFound && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
    }

    /// <summary>
    /// The record the address names is not there (a use case found nothing): 404, with the body left to the
    /// status-code page. Not a use-case error, so not an <see cref="Domain.Error"/>.
    /// </summary>
    public static void NotFound(this HttpContext context) => context.Status(StatusCodes.Status404NotFound);

    /// <summary>
    /// A private link (safety plan, feedback, opt-out) that is unknown, expired, used or revoked: 410 for all
    /// alike, so a guessed or old link learns nothing, and the page says what to do.
    /// </summary>
    public static void Gone(this HttpContext context) => context.Status(StatusCodes.Status410Gone);

    /// <summary>
    /// Whether this request posts a form. A page that audits its read checks this, so that a post audits what it
    /// does and at most one read (the read that shows the page again after a refusal), not a read before it too.
    /// </summary>
    public static bool IsFormPost(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType;
    }
}

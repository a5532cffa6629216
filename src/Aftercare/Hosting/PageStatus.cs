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
}

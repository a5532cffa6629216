using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Net.Http.Headers;

namespace Aftercare.Fhir;

/// <summary>
/// The edge of /fhir, where everything that is not one resource's business is answered, always as
/// an OperationOutcome (never a page, an empty body or a stack trace):
/// a body larger than <see cref="MaxBodyBytes"/> is 413 without reading it; a write in anything but
/// FHIR JSON is 415; a request for another format (<c>_format=xml</c>, <c>Accept: application/fhir+xml</c>)
/// is 406 (JSON only: docs/fhir/README.md says why); a route nobody serves is 404, and a method a
/// route does not take is 405 with <c>Allow</c> (<see cref="Unmatched"/>, mapped last).
/// </summary>
public static class FhirEdge
{
    /// <summary>1 MiB: a transaction of <see cref="Transaction.MaxBundleEntries"/> entries, or a safety plan, is far smaller.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>An oversized body up to this size is read and dropped after the 413; a larger one closes the connection.</summary>
    private const long DrainBytes = 64L * 1024 * 1024;

    /// <summary>The parameter of <see cref="FhirRoutes.AnyType"/>, whose handler answers for types that are not served.</summary>
    private const string AnyTypeParameter = "type";

    private static readonly string[] JsonTypes = ["application/fhir+json", "application/json"];

    public static IApplicationBuilder UseFhirEdge(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments(FhirRoutes.Base), b => b.Use(Edge));

    private static async System.Threading.Tasks.Task Edge(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.ContentLength is { } length && length > MaxBodyBytes)
        {
            // Answered before a byte is read. A client that sent no Expect: 100-continue is still
            // sending; up to DrainBytes, the body is read and dropped so that it can read the answer.
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            var waiting = request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
            var drain = !waiting && length <= DrainBytes && limit is { IsReadOnly: false };
            if (drain)
            {
                limit!.MaxRequestBodySize = length;
            }
            else
            {
                context.Response.Headers.Connection = "close";
            }

            await TooLarge().ExecuteAsync(context);
            if (drain)
            {
                try
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                }
                catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
                {
                    // The answer is sent; a client that stops sending, or sends too slowly, is simply let go.
                }
            }

            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        if (Unacceptable(request) is { } format)
        {
            await Outcomes.NotAcceptable(
                $"This server answers in FHIR JSON only (application/fhir+json), not {format}. See /fhir/metadata.").ExecuteAsync(context);
            return;
        }

        if (IsWrite(request) && !IsJson(request.ContentType) && !request.Path.Value!.EndsWith("/_search", StringComparison.Ordinal))
        {
            var sent = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type {MediaType(request.ContentType)}";
            await Outcomes.UnsupportedMediaType(
                $"Send FHIR JSON (Content-Type: application/fhir+json or application/json), not {sent}. Nothing was saved.").ExecuteAsync(context);
            return;
        }

        context.Response.OnStarting(() =>
        {
            if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && string.IsNullOrEmpty(context.Response.Headers.Allow)
                && Allowed(context) is { Count: > 0 } allowed)
            {
                context.Response.Headers.Allow = string.Join(", ", allowed);
            }

            return System.Threading.Tasks.Task.CompletedTask;
        });

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals of the body: too large (sent without a length), or cut short.
            await (e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge()
                : Outcomes.BadRequest("The request body could not be read.")).ExecuteAsync(context);
            return;
        }

        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
        {
            // A refusal with no body of its own (from the framework, not a handler) still says what happened.
            await Outcomes.Fail(context.Response.StatusCode, OperationOutcome.IssueType.Processing,
                $"The request was refused ({context.Response.StatusCode}). See /fhir/metadata for what this server does.").ExecuteAsync(context);
        }
    }

    private static IResult TooLarge() =>
        Outcomes.TooLarge($"The body is larger than this server takes ({MaxBodyBytes / 1024 / 1024} MiB). Nothing was read or saved.");

    private static bool IsWrite(HttpRequest request) => HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method);

    private static string MediaType(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value ?? "" : "an unreadable type";

    private static bool IsJson(string? contentType) =>
        contentType is not null && JsonTypes.Contains(MediaType(contentType), StringComparer.OrdinalIgnoreCase);

    /// <summary>The format asked for, when it is not JSON: by <c>_format</c>, or by an Accept that takes no JSON.</summary>
    private static string? Unacceptable(HttpRequest request)
    {
        if (request.Query.TryGetValue("_format", out var format))
        {
            var asked = format.ToString().Trim();
            return asked is "json" or "application/json" or "application/fhir+json" || JsonTypes.Contains(MediaType(asked), StringComparer.OrdinalIgnoreCase) ? null : asked;
        }

        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
        {
            return null;
        }

        var takesJson = accepted.Any(a => a.Quality is not 0 && (a.MatchesAllTypes || a.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase) || JsonTypes.Contains(a.MediaType.Value, StringComparer.OrdinalIgnoreCase)));
        return takesJson ? null : request.Headers.Accept.ToString();
    }

    /// <summary>
    /// What the route table does not hold: an operation (<c>$everything</c>) or a type nobody serves is
    /// 404; a path that is served, by another method, is 405 (the edge adds <c>Allow</c>).
    /// </summary>
    public static IResult Unmatched(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rest = context.Request.Path.Value![FhirRoutes.Base.Length..].Trim('/');
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.FirstOrDefault(s => s.StartsWith('$')) is { } operation)
        {
            return Outcomes.NotServed(
                $"The operation {operation} is not supported by this server. /fhir/metadata lists what is.");
        }

        if (Allowed(context).Count > 0)
        {
            return Outcomes.NotAllowed($"{context.Request.Method} is not supported here. /fhir/metadata lists what is.");
        }

        return segments.Length > 0 && !Capability.Types.Contains(segments[0])
            ? Outcomes.UnknownType(segments[0])
            : Outcomes.NotServed("This server has no such interaction. /fhir/metadata lists what it does.");
    }

    /// <summary>The methods the route table serves at this path (not counting the catch-alls).</summary>
    public static IReadOnlyList<string> Allowed(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            var underBase = pattern.PathSegments is [{ Parts: [RoutePatternLiteralPart { Content: var first }] }, ..] && "/" + first == FhirRoutes.Base;
            if (!underBase || pattern.Parameters.Any(p => p.IsCatchAll || p.Name == AnyTypeParameter)
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } verbs)
            {
                continue;
            }

            if (new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
            {
                methods.UnionWith(verbs.HttpMethods);
            }
        }

        return [.. methods];
    }
}

using System.Text.Json;
using Aftercare.Access;
using Aftercare.App.Data;
using Aftercare.App.Plans;
using Aftercare.Domain.Plans;

namespace Aftercare.Plans;

/// <summary>
/// What the person's phone asks for beside their plan page (issue 14.2, 14.3): the web app manifest
/// ("Add to home screen"), the service worker that keeps the page for offline use, and the change
/// their phone kept while offline, sent when it is back online. No cookie is involved: the private
/// link is the only authority, decided by <see cref="PlanHolders.ForRequest"/> as for the page.
/// </summary>
public static class MyPlanApi
{
    public const string ServiceWorkerPath = "/my-plan/sw.js";

    public static IEndpointRouteBuilder MapMyPlan(this IEndpointRouteBuilder app)
    {
        app.MapGet(ServiceWorkerPath, ServiceWorker).AllowAnonymous().WithMetadata(new NoRecordAttribute());
        app.MapGet("/my-plan/{token}/manifest.webmanifest", Manifest).AllowAnonymous().WithMetadata(new NoRecordAttribute());
        app.MapPost("/my-plan/{token}/changes", SendChange).AllowAnonymous().DisableAntiforgery().WithMetadata(new NoRecordAttribute());
        return app;
    }

    /// <summary>Served from its own folder so that its scope is /my-plan/ only: no staff page ever passes through it.</summary>
    private static IResult ServiceWorker()
    {
        var stream = typeof(MyPlanApi).Assembly.GetManifestResourceStream("Aftercare.Assets.my-plan-sw.js")!;
        return Results.Stream(stream, "text/javascript; charset=utf-8");
    }

    private static async Task<IResult> Manifest(string token, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await PlanHolders.ForRequest(db, clock, token, ct) is null)
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }

        var manifest = new
        {
            name = "My safety plan",
            short_name = "My plan",
            description = "Your safety plan, with the numbers to call, even with no signal.",
            start_url = $"/my-plan/{token}",
            scope = "/my-plan/",
            display = "standalone",
            background_color = "#ffffff",
            theme_color = "#005eb8",
            icons = new object[]
            {
                new { src = "/assets/icon-192.png", sizes = "192x192", type = "image/png", purpose = "any" },
                new { src = "/assets/icon-512.png", sizes = "512x512", type = "image/png", purpose = "any maskable" },
            },
        };
        return Results.Text(JsonSerializer.Serialize(manifest), "application/manifest+json; charset=utf-8");
    }

    public sealed record QueuedChange(int Version, Dictionary<string, string>? Sections);

    /// <summary>A change made offline: a new revision by the person, merged with any the care team made in between.</summary>
    private static async Task<IResult> SendChange(string token, QueuedChange? change, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await PlanHolders.ForRequest(db, clock, token, ct) is not { } holder)
        {
            return Results.Problem(statusCode: StatusCodes.Status410Gone, title: "This link is not available", detail: "Ask your care team for a new one.");
        }

        var sections = new Dictionary<SafetyPlanSection, string>();
        foreach (var (name, text) in change?.Sections ?? [])
        {
            if (!Enum.TryParse<SafetyPlanSection>(name, out var section) || !Enum.IsDefined(section))
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Your change could not be saved", detail: "An unknown section was sent.");
            }

            sections[section] = text ?? "";
        }

        var saved = await ChangeMyPlan.Handle(db, clock, holder, change?.Version ?? 0, new SafetyPlanContent(sections), ct);
        return saved.IsSuccess
            ? Results.Json(new { version = saved.Value.Version, teamChangedInBetween = saved.Value.TeamInBetween.Count > 0 })
            : Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Your change could not be saved", detail: string.Join(" ", saved.Errors.Select(e => e.Message)));
    }
}

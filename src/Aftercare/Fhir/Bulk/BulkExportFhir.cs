using System.Globalization;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Bulk;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Aftercare.Smart;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Aftercare.Fhir.Bulk;

/// <summary>
/// FHIR Bulk Data Access (STU2) for backend services: the kick-off (<c>$export</c> at system,
/// Patient and Group level, asynchronous only), the status URL the kick-off gives (202 with
/// progress while it runs, then the manifest; DELETE cancels), and the NDJSON files the manifest
/// lists. Only the client that started an export sees it; its files need the same bearer token.
/// The work is done by <see cref="BulkExportWorker"/>; the output is kept encrypted in the
/// database until it expires.
/// </summary>
public static class BulkExportFhir
{
    public const string Operation = "/$export";
    public const string StatusRoute = "/$export-status/{export:guid}";
    public const string FileRoute = "/$export-file/{export:guid}/{file:int}";
    public const string NdjsonType = "application/fhir+ndjson";

    public const string BulkCapability = "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data";
    public const string ExportDefinition = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export";
    public const string PatientExportDefinition = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export";
    public const string GroupExportDefinition = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export";

    /// <summary>The kick-off parameters this server takes; the others the specification names it does not (refused, or ignored under handling=lenient).</summary>
    private static readonly string[] Taken = ["_type", "_since", "_outputFormat"];

    private static readonly string[] OutputFormats = [NdjsonType, "application/ndjson", "ndjson"];

    /// <summary>Signed in with a token: whether it is a backend service with the right scopes is each handler's answer, so that a refusal says why.</summary>
    public static void Policy(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.AddAuthenticationSchemes(SmartSetup.Schemes).RequireAuthenticatedUser();
    }

    public static IEndpointRouteBuilder MapBulkExport(this IEndpointRouteBuilder fhir)
    {
        var bulk = fhir.MapGroup("").RequireAuthorization(Policy);
        bulk.MapGet(Operation, Everything);
        bulk.MapGet(FhirRoutes.Type(People.PatientFhir.Type) + Operation, Patients);
        bulk.MapGet(FhirRoutes.Instance(GroupFhir.Type) + Operation, Group);
        bulk.MapGet(StatusRoute, Status);
        bulk.MapDelete(StatusRoute, Cancel);
        bulk.MapGet(FileRoute, File);
        return fhir;
    }

    public static Task<IResult> Everything(HttpContext context, AftercareDbContext db, TimeProvider clock, BulkExportWorker worker, CancellationToken ct) =>
        KickOff(context, db, clock, worker, BulkExportLevel.System, null, ct);

    public static Task<IResult> Patients(HttpContext context, AftercareDbContext db, TimeProvider clock, BulkExportWorker worker, CancellationToken ct) =>
        KickOff(context, db, clock, worker, BulkExportLevel.Patient, null, ct);

    public static async Task<IResult> Group(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, BulkExportWorker worker, CancellationToken ct)
    {
        if (Refusal(context) is { } refused)
        {
            return await Refuse(context, db, clock, refused, ct);
        }

        return await GroupFhir.Find(db, id, ct) is { } site
            ? await KickOff(context, db, clock, worker, BulkExportLevel.Group, site.Id, ct)
            : Outcomes.NotFound(GroupFhir.Type, id);
    }

    /// <summary>Who may export: a backend service (system scopes), never a person's app or a browser session.</summary>
    private static string? Refusal(HttpContext context) =>
        SmartSetup.IsBackendService(context.User) ? null : "Bulk export is for backend services (SMART Backend Services, system/ scopes), not for a signed-in person or a person's app.";

    private static async Task<IResult> Refuse(HttpContext context, AftercareDbContext db, TimeProvider clock, string why, CancellationToken ct)
    {
        db.Audit(clock, context.User.ToActor(), AuditAction.FhirRefused, AuditPurpose.Security, null, $"{context.Request.Method} {context.Request.Path}");
        await db.SaveChangesAsync(ct);
        return Outcomes.Forbidden(why);
    }

    /// <summary>Whether a token's scopes let it read a type: <c>system/*.read</c> (and the v2 and wider spellings), or the type's own.</summary>
    public static bool MayRead(System.Security.Claims.ClaimsPrincipal user, string type)
    {
        ArgumentNullException.ThrowIfNull(user);
        var own = new[] { $"system/{type}.read", $"system/{type}.rs", $"system/{type}.*", $"system/{type}.cruds" };
        return user.GetScopes().Any(s => (s.StartsWith("system/", StringComparison.Ordinal) && SmartSetup.ReadScopes.Contains(s)) || own.Contains(s));
    }

    private static async Task<IResult> KickOff(
        HttpContext context, AftercareDbContext db, TimeProvider clock, BulkExportWorker worker, BulkExportLevel level, Guid? groupId, CancellationToken ct)
    {
        if (Refusal(context) is { } refused)
        {
            return await Refuse(context, db, clock, refused, ct);
        }

        var request = context.Request;
        var prefer = string.Join(',', request.Headers["Prefer"].Select(p => p ?? "")).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!prefer.Contains("respond-async", StringComparer.OrdinalIgnoreCase))
        {
            return Outcomes.Required("Bulk export is asynchronous only: send Prefer: respond-async, then poll the Content-Location it answers with.", "Prefer");
        }

        // Bulk Data: a parameter the server does not support is an error, unless the client says handling=lenient.
        var unsupported = request.Query.Keys.Where(k => !Taken.Contains(k)).ToList();
        if (unsupported.Count > 0 && !prefer.Contains("handling=lenient", StringComparer.OrdinalIgnoreCase))
        {
            return Outcomes.NotSupported($"Not supported here: {string.Join(", ", unsupported)}. Supported: {string.Join(", ", Taken)} (send Prefer: handling=lenient to have the others ignored).", unsupported[0]);
        }

        if (request.Query["_outputFormat"].ToString() is { Length: > 0 } format && !OutputFormats.Contains(format))
        {
            return Outcomes.NotSupported($"_outputFormat is {string.Join(", ", OutputFormats)} (NDJSON).", "_outputFormat");
        }

        DateTimeOffset? since = null;
        if (request.Query["_since"].ToString() is { Length: > 0 } sinceText)
        {
            // A FHIR instant: a date and time with its offset (a "+" sent unescaped arrives as a space).
            if (!DateTimeOffset.TryParse(sinceText.Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) || !sinceText.Contains('T', StringComparison.Ordinal))
            {
                return Outcomes.BadValue($"_since \"{sinceText}\" is not a FHIR instant (e.g. 2026-11-01T00:00:00Z).", "_since");
            }

            since = parsed.ToUniversalTime();
        }

        var exportable = ExportedTypes.For(level);
        var types = exportable;
        if (request.Query["_type"].Count > 0)
        {
            var asked = request.Query["_type"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList();
            if (asked.FirstOrDefault(t => !exportable.Contains(t)) is { } unknown)
            {
                return Outcomes.NotSupported(
                    $"{unknown} is not exported {(level == BulkExportLevel.System ? "" : "at this level ")}here. _type takes: {string.Join(", ", exportable)}.", "_type");
            }

            // In the order they are written, whatever order they were asked in.
            types = [.. exportable.Where(asked.Contains)];
        }

        if (types.FirstOrDefault(t => !MayRead(context.User, t)) is { } notAllowed)
        {
            return await Refuse(context, db, clock,
                $"This client's scopes do not allow reading {notAllowed}{(request.Query["_type"].Count == 0 ? ", which an export without _type includes" : "")}. Ask with _type for the types its scopes allow.", ct);
        }

        var actor = context.User.ToActor();
        var export = BulkExport.Start(actor.UserId, level, groupId, types, since, $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}", clock.GetUtcNow());
        db.BulkExports.Add(export);
        db.Audit(clock, actor, AuditAction.RegistryExported, AuditPurpose.Administration, null, $"fhir $export {export.Id} requested");
        await db.SaveChangesAsync(ct);
        worker.Wake();
        return new Accepted(StatusUrl(context, export.Id));
    }

    public static string StatusUrl(HttpContext context, Guid export) => $"{FhirRoutes.BaseUrl(context)}/$export-status/{export}";

    private static async Task<BulkExport?> Own(HttpContext context, AftercareDbContext db, TimeProvider clock, Guid id, CancellationToken ct)
    {
        var clientId = context.User.ToActor().UserId;
        var export = await db.BulkExports.FirstOrDefaultAsync(e => e.Id == id && e.ClientId == clientId, ct);
        if (export?.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            // Gone at its expiry, whether or not the worker has deleted it yet.
            await BulkExportWorker.DeleteAsync(db, id, ct);
            return null;
        }

        return export;
    }

    /// <summary>The status URL: 202 with X-Progress and Retry-After while it runs; 200 with the manifest once complete; an OperationOutcome if it failed.</summary>
    public static async Task<IResult> Status(Guid export, HttpContext context, AftercareDbContext db, TimeProvider clock, BulkExportOptions options, CancellationToken ct)
    {
        var found = await Own(context, db, clock, export, ct);
        switch (found?.Status)
        {
            case null:
                return Outcomes.NotFound("$export-status", export.ToString());
            case BulkExportStatus.Failed:
                return Outcomes.Fail(StatusCodes.Status500InternalServerError, OperationOutcome.IssueType.Exception, found.Error ?? "The export failed.");
            case BulkExportStatus.Queued or BulkExportStatus.Running:
                context.Response.Headers["X-Progress"] = found.Status == BulkExportStatus.Queued
                    ? "queued"
                    : string.Create(CultureInfo.InvariantCulture, $"{found.PeopleDone} of {Words.Count(found.PeopleTotal, "record")} done");
                context.Response.Headers.RetryAfter = Math.Max(1, options.PollSeconds).ToString(CultureInfo.InvariantCulture);
                return Results.StatusCode(StatusCodes.Status202Accepted);
        }

        var files = await db.BulkExportFiles.AsNoTracking().Where(f => f.ExportId == export).OrderBy(f => f.Number)
            .Select(f => new { f.Type, f.Number, f.Count }).ToListAsync(ct);
        var manifest = new Manifest(
            found.TransactionTime!.Value.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            found.Request,
            true,
            [.. files.Select(f => new ManifestFile(f.Type, $"{FhirRoutes.BaseUrl(context)}/$export-file/{export}/{f.Number}", f.Count))],
            []);
        context.Response.Headers.Expires = found.ExpiresAt!.Value.ToString("R", CultureInfo.InvariantCulture);
        return Results.Json(manifest, ManifestJson, "application/json", StatusCodes.Status200OK);
    }

    /// <summary>DELETE on the status URL: the export is stopped (if running) and it and its files are deleted.</summary>
    public static async Task<IResult> Cancel(Guid export, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await Own(context, db, clock, export, ct) is null)
        {
            return Outcomes.NotFound("$export-status", export.ToString());
        }

        await BulkExportWorker.DeleteAsync(db, export, ct);
        db.Audit(clock, context.User.ToActor(), AuditAction.RegistryExported, AuditPurpose.Administration, null, $"fhir $export {export} deleted");
        await db.SaveChangesAsync(ct);
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>One output file, as NDJSON; audited as the client's download.</summary>
    public static async Task<IResult> File(Guid export, int file, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await Own(context, db, clock, export, ct) is not { Status: BulkExportStatus.Completed }
            || await db.BulkExportFiles.AsNoTracking().FirstOrDefaultAsync(f => f.ExportId == export && f.Number == file, ct) is not { } found)
        {
            return Outcomes.NotFound("$export-file", $"{export}/{file}");
        }

        db.Audit(clock, context.User.ToActor(), AuditAction.RegistryExported, AuditPurpose.Administration, null,
            string.Create(CultureInfo.InvariantCulture, $"fhir $export {export} file {file} downloaded"));
        await db.SaveChangesAsync(ct);
        return Results.Text(found.Content, NdjsonType, System.Text.Encoding.UTF8);
    }

    /// <summary>What the CapabilityStatement says of bulk export: the operation at system level (Patient and Group declare theirs).</summary>
    public static void Describe(CapabilityStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        statement.Instantiates = [BulkCapability];
        statement.Rest[0].Operation.Add(new CapabilityStatement.OperationComponent
        {
            Name = "export",
            Definition = ExportDefinition,
            Documentation = "Bulk Data (STU2) for backend services: Prefer: respond-async; _type, _since, _outputFormat=application/fhir+ndjson. Patient/$export and Group/{id}/$export (the people who presented at a site) too.",
        });
        statement.Rest[0].Resource.First(r => r.Type == "Patient").Operation.Add(new CapabilityStatement.OperationComponent { Name = "export", Definition = PatientExportDefinition });
    }

    private static readonly JsonSerializerOptions ManifestJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private sealed record Manifest(string TransactionTime, string Request, bool RequiresAccessToken, IReadOnlyList<ManifestFile> Output, IReadOnlyList<ManifestFile> Error);

    private sealed record ManifestFile(string Type, string Url, int Count);

    /// <summary>202 with Content-Location (the status URL) and an OperationOutcome saying what to do next.</summary>
    private sealed class Accepted(string location) : IResult
    {
        public System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ContentLocation = location;
            var outcome = new OperationOutcome();
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Information,
                Code = OperationOutcome.IssueType.Informational,
                Diagnostics = "Export accepted: poll the Content-Location until it answers 200 with the manifest.",
            });
            return FhirJson.Ok(outcome, StatusCodes.Status202Accepted).ExecuteAsync(httpContext);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Bulk;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Aftercare.Fhir.Bulk;
using Aftercare.Smart;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 13, registries and analytics: FHIR Bulk Data $export as a backend client meets it, from the
/// kick-off through the status URL to the NDJSON files and the DELETE; what it refuses; and the
/// round trip of the demo database (every line valid R4, as the validating handler under every test
/// client checks, and each type's count equal to the database's). Also the audit trail, readable by
/// a backend service granted system/AuditEvent.read.
/// </summary>
public sealed class FhirBulkExportTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A backend client registered with these scopes, holding a token for them.</summary>
    internal static async Task<HttpClient> Backend(AftercareApplication app, string clientId, string scopes)
    {
        Keys[clientId] = await SmartClients.Register(app, clientId, Roles.Clinician, scopes.Split(' '));
        var client = app.AnonymousClient();
        await Renew(app, client, clientId, scopes);
        return client;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Microsoft.IdentityModel.Tokens.RsaSecurityKey> Keys = new();

    /// <summary>A fresh token for a client registered by <see cref="Backend"/> (a token lives five minutes).</summary>
    internal static async Task Renew(AftercareApplication app, HttpClient client, string clientId, string scopes)
    {
        var response = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, Keys[clientId], clientId), scopes);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
    }

    private static HttpRequestMessage KickOffRequest(string path, string? prefer = "respond-async")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/fhir+json");
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return request;
    }

    /// <summary>Kicks off and answers the status URL the 202 gave.</summary>
    internal static async Task<string> KickOff(HttpClient client, string path)
    {
        var response = await client.SendAsync(KickOffRequest(path), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return response.Content.Headers.ContentLocation?.ToString() ?? throw new InvalidOperationException("No Content-Location");
    }

    /// <summary>Polls as a client does (202 with Retry-After while it runs) until the manifest comes.</summary>
    internal static async Task<JsonElement> Manifest(HttpClient client, string status)
    {
        for (var i = 0; i < 1200; i++)
        {
            var response = await client.GetAsync(status, Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            }

            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
            Assert.True(response.Headers.Contains("X-Progress"));
            Assert.NotNull(response.Headers.RetryAfter);
            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("The export never finished.");
    }

    /// <summary>Every output file downloaded (each validated line by line by the test client's handler), its resources by type.</summary>
    internal static async Task<Dictionary<string, List<JsonElement>>> Download(HttpClient client, JsonElement manifest)
    {
        var byType = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var file in manifest.GetProperty("output").EnumerateArray())
        {
            var response = await client.GetAsync(file.GetProperty("url").GetString(), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(BulkExportFhir.NdjsonType, response.Content.Headers.ContentType?.MediaType);
            var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(file.GetProperty("count").GetInt32(), lines.Length);
            var type = file.GetProperty("type").GetString()!;
            foreach (var line in lines)
            {
                var resource = JsonDocument.Parse(line).RootElement.Clone();
                Assert.Equal(type, resource.GetProperty("resourceType").GetString());
                (byType.TryGetValue(type, out var list) ? list : byType[type] = []).Add(resource);
            }
        }

        return byType;
    }

    [Fact]
    public async Task A_registry_kicks_off_an_export_polls_it_downloads_each_file_with_its_token_and_deletes_it()
    {
        var client = await Backend(app, "registry-dance", SmartSetup.ReadScope);
        var status = await KickOff(client, "fhir/Patient/$export?_type=Patient,Encounter&_outputFormat=application/fhir%2Bndjson");
        Assert.StartsWith(app.BaseAddress + "fhir/$export-status/", status, StringComparison.Ordinal);

        var manifest = await Manifest(client, status);
        Assert.True(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.EndsWith("/fhir/Patient/$export?_type=Patient,Encounter&_outputFormat=application/fhir%2Bndjson", manifest.GetProperty("request").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(manifest.GetProperty("transactionTime").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Empty(manifest.GetProperty("error").EnumerateArray());
        var files = await Download(client, manifest);
        Assert.Equal(["Encounter", "Patient"], files.Keys.Order());
        Assert.Equal(await app.PeopleCount(), files["Patient"].Count);

        // The same bearer token: without it, or with another client's, a file is not there.
        var url = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync(url, Ct)).StatusCode);
        var other = await Backend(app, "registry-other", SmartSetup.ReadScope);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(status, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync(status, Ct)).StatusCode);

        // Kick-off, completion and each download are the client's own actions in the audit.
        var id = status[(status.LastIndexOf('/') + 1)..];
        var audited = await app.Read(db => db.AuditEvents.Where(a => a.Actor == "client:registry-dance" && a.EntityId != null && a.EntityId.Contains(id)).Select(a => a.EntityId!).ToListAsync(Ct));
        Assert.Contains($"fhir $export {id} requested", audited);
        Assert.Contains(audited, e => e.StartsWith($"fhir $export {id} completed", StringComparison.Ordinal));
        Assert.Contains($"fhir $export {id} file 1 downloaded", audited);
        // And each person whose record it holds has it on their audit trail.
        Assert.Equal(await app.PeopleCount(), await app.Read(db => db.AuditEvents.CountAsync(a => a.Actor == "client:registry-dance" && a.EntityId == $"fhir $export {id}" && a.PersonId != null, Ct)));

        // DELETE removes it: the status URL and the files are gone, and nothing of it is left in the database.
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync(status, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(status, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(0, await app.Read(db => db.BulkExportFiles.CountAsync(f => f.ExportId == Guid.Parse(id), Ct)));
    }

    [Fact]
    public async Task The_output_is_kept_encrypted_in_the_database_and_is_gone_after_the_configured_hour()
    {
        var client = await Backend(app, "registry-expiry", SmartSetup.ReadScope);
        var status = await KickOff(client, "fhir/$export?_type=Patient");
        var manifest = await Manifest(client, status);
        var id = Guid.Parse(status[(status.LastIndexOf('/') + 1)..]);
        var mrn = (await app.Read(db => db.People.OrderBy(p => p.Id).FirstAsync(Ct))).Identifiers[0].Value;

        // No patient data on disk in clear: the NDJSON is stored as ciphertext, like the other clinical text.
        var stored = await app.Read(db => db.BulkExportFiles.Where(f => f.ExportId == id).Select(f => EF.Property<string>(f, "EncryptedContent")).ToListAsync(Ct));
        Assert.NotEmpty(stored);
        Assert.All(stored, s => Assert.StartsWith(FieldEncryption.Prefix, s, StringComparison.Ordinal));
        Assert.All(stored, s => Assert.DoesNotContain(mrn, s, StringComparison.Ordinal));
        Assert.Contains(mrn, (await Download(client, manifest))["Patient"].Select(p => p.GetRawText()).Aggregate(string.Concat), StringComparison.Ordinal);

        app.Clock.Advance(TimeSpan.FromMinutes(61));
        await Renew(app, client, "registry-expiry", SmartSetup.ReadScope);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(status, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(manifest.GetProperty("output")[0].GetProperty("url").GetString(), Ct)).StatusCode);
        Assert.Equal(0, await app.Read(db => db.BulkExportFiles.CountAsync(f => f.ExportId == id, Ct)));
        Assert.False(await app.Read(db => db.BulkExports.AnyAsync(e => e.Id == id, Ct)));
    }

    [Fact]
    public async Task An_export_is_refused_without_respond_async_for_scopes_that_do_not_cover_it_for_an_unknown_type_a_bad_since_or_an_unsupported_parameter()
    {
        var client = await Backend(app, "registry-refusals", SmartSetup.ReadScope);
        async Task<(HttpStatusCode Status, string Body)> Ask(HttpClient asking, string path, string? prefer = "respond-async")
        {
            var response = await asking.SendAsync(KickOffRequest(path, prefer), Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var before = await app.Read(db => db.BulkExports.CountAsync(Ct));
        var noPrefer = await Ask(client, "fhir/$export", prefer: null);
        Assert.Equal(HttpStatusCode.BadRequest, noPrefer.Status);
        Assert.Contains("respond-async", noPrefer.Body, StringComparison.Ordinal);

        var unknownType = await Ask(client, "fhir/$export?_type=RiskAssessment");
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.Status);
        Assert.Contains("RiskAssessment is not exported", unknownType.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Ask(client, "fhir/$export?_type=AuditEvent")).Status);
        // A Patient-level export is of people's records: the staff list is not in it.
        Assert.Equal(HttpStatusCode.BadRequest, (await Ask(client, "fhir/Patient/$export?_type=Practitioner")).Status);

        foreach (var since in new[] { "yesterday", "2026-13-01T00:00:00Z", "2026-11-01" })
        {
            var bad = await Ask(client, $"fhir/$export?_since={since}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
            Assert.Contains("_since", bad.Body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Ask(client, "fhir/$export?_outputFormat=application/fhir%2Bjson")).Status);

        // Parameters of the specification not supported here: refused, unless the client asks for lenient handling.
        foreach (var unsupported in new[] { "_typeFilter=Encounter%3Fstatus%3Dfinished", "patient=Patient/x", "includeAssociatedData=LatestProvenanceResources", "_elements=id" })
        {
            var strict = await Ask(client, $"fhir/$export?{unsupported}");
            Assert.Equal(HttpStatusCode.BadRequest, strict.Status);
            Assert.Contains("handling=lenient", strict.Body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Ask(client, "fhir/$export?_elements=id", "respond-async, handling=strict")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await Ask(client, "fhir/$export?_type=Organization&_elements=id", "respond-async, handling=lenient")).Status);

        // A client that may read one type only (the audit) asking for everything; a group that does not exist.
        var auditOnly = await Backend(app, "registry-audit-only", "system/AuditEvent.read");
        var tooWide = await Ask(auditOnly, "fhir/$export");
        Assert.Equal(HttpStatusCode.Forbidden, tooWide.Status);
        Assert.Contains("scopes do not allow reading Patient", tooWide.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Ask(client, $"fhir/Group/{Guid.NewGuid()}/$export")).Status);

        // A member of staff signed in, even a clinician who may read the records: bulk export is for backend services.
        Assert.Equal(HttpStatusCode.Forbidden, (await Ask(await app.ClientFor(Roles.Clinician), "fhir/$export")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Ask(app.AnonymousClient(), "fhir/$export")).Status);

        // Nothing was started but the lenient one.
        Assert.Equal(before + 1, await app.Read(db => db.BulkExports.CountAsync(Ct)));
    }

    [Fact]
    public async Task Since_and_type_export_only_the_types_asked_for_changed_after_the_time_given()
    {
        var client = await Backend(app, "registry-since", SmartSetup.ReadScope);
        var latest = await app.Read(db => db.Presentations.MaxAsync(p => p.RecordedAt, Ct));
        var since = (latest > app.Clock.GetUtcNow() ? latest : app.Clock.GetUtcNow()).AddSeconds(1);
        app.Clock.Advance(since - app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        var (_, personId, presentationId) = await app.Presented();

        var status = await KickOff(client, $"fhir/$export?_type=Encounter,Condition&_since={Uri.EscapeDataString(since.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))}");
        var files = await Download(client, await Manifest(client, status));
        Assert.Equal(["Condition", "Encounter"], files.Keys.Order());
        var encounter = Assert.Single(files["Encounter"]);
        Assert.Equal(presentationId.ToString(), encounter.GetProperty("id").GetString());
        Assert.Equal($"Patient/{personId}", Assert.Single(files["Condition"]).GetProperty("subject").GetProperty("reference").GetString());

        // The same answer the read gives.
        var read = await client.GetFromJsonAsync<JsonElement>($"fhir/Encounter/{presentationId}", Ct);
        Assert.Equal(read.GetRawText(), encounter.GetRawText());
    }

    [Fact]
    public async Task A_group_is_the_people_who_presented_at_a_site_found_by_its_code_and_exported_alone()
    {
        var client = await Backend(app, "registry-group", SmartSetup.ReadScope);
        var groups = await client.GetFromJsonAsync<JsonElement>($"fhir/Group?identifier={Uri.EscapeDataString($"{FhirSystems.SiteSystem}|{Requests.DemoSiteCode}")}", Ct);
        var group = Assert.Single(groups.GetProperty("entry").EnumerateArray()).GetProperty("resource");
        var siteId = Guid.Parse(group.GetProperty("id").GetString()!);
        Assert.Equal(siteId, await app.SiteId());

        var files = await Download(client, await Manifest(client, await KickOff(client, $"fhir/Group/{siteId}/$export?_type=Patient,Encounter")));
        var members = await app.Read(db => db.People.Where(p => db.Presentations.Any(x => x.PersonId == p.Id && x.SiteId == siteId)).Select(p => p.Id).ToListAsync(Ct));
        Assert.Equal(members.Select(m => m.ToString()).Order(), files["Patient"].Select(p => p.GetProperty("id").GetString()!).Order());
        var elsewhere = await app.Read(db => db.Presentations.CountAsync(x => members.Contains(x.PersonId) && x.SiteId != siteId, Ct));
        Assert.Equal(await app.Read(db => db.Presentations.CountAsync(x => x.SiteId == siteId, Ct)) + elsewhere, files["Encounter"].Count);
    }

    [Fact]
    public async Task The_demo_database_round_trips_every_line_valid_and_each_type_counted_as_the_database_holds_it()
    {
        var client = await Backend(app, "registry-round-trip", SmartSetup.ReadScope);
        var files = await Download(client, await Manifest(client, await KickOff(client, "fhir/$export")));
        var counts = files.ToDictionary(f => f.Key, f => f.Value.Count, StringComparer.Ordinal);
        int Of(string type) => counts.GetValueOrDefault(type);

        // Counted from the database directly, not through the FHIR layer.
        Assert.Equal(await app.Read(db => db.People.CountAsync(Ct)), Of("Patient"));
        Assert.Equal(await app.Read(db => db.Presentations.CountAsync(Ct)), Of("Encounter"));
        Assert.Equal(await app.Read(db => db.Presentations.CountAsync(Ct)), Of("Condition"));
        Assert.Equal(await app.Read(db => db.Assessments.CountAsync(Ct)), Of("QuestionnaireResponse"));
        Assert.Equal(await app.Read(async db => await db.CarePlans.CountAsync(Ct) + await db.SafetyPlans.CountAsync(Ct)), Of("CarePlan"));
        Assert.Equal(await app.Read(db => db.Episodes.CountAsync(Ct)), Of("EpisodeOfCare"));
        Assert.Equal(await app.Read(db => db.Contacts.CountAsync(Ct)), Of("Appointment"));
        Assert.Equal(await app.Read(db => db.Referrals.CountAsync(Ct)), Of("ServiceRequest"));
        Assert.Equal(await app.Read(db => db.OutboxMessages.CountAsync(Ct)), Of("CommunicationRequest"));
        Assert.Equal(await app.Read(db => db.OutboxMessages.CountAsync(m => m.Status == MessageStatus.Sent || m.Status == MessageStatus.Failed, Ct)), Of("Communication"));
        Assert.Equal(await app.Read(db => db.Users.CountAsync(Ct)), Of("Practitioner"));
        Assert.Equal(await app.Read(db => db.Sites.CountAsync(Ct)), Of("Organization"));
        Assert.Equal(await app.Read(db => db.Services.CountAsync(Ct)), Of("HealthcareService"));
        Assert.DoesNotContain("RiskAssessment", counts.Keys);
        Assert.DoesNotContain("AuditEvent", counts.Keys);
        Assert.True(Of("Patient") > 0 && Of("Encounter") > 0, "The demo data should hold people and presentations: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));

        // Goals, Tasks, Consents and documents are made from other records (a care plan's goals, a
        // referral's handoff, an assessment's answers): each person's count is what their search finds.
        var people = await app.Read(db => db.People.Select(p => p.Id).ToListAsync(Ct));
        foreach (var type in new[] { "Goal", "Task", "Consent", "DocumentReference" })
        {
            var total = 0;
            foreach (var person in people)
            {
                total += (await client.GetFromJsonAsync<JsonElement>($"fhir/{type}?patient={person}&_summary=count", Ct)).GetProperty("total").GetInt32();
            }

            Assert.Equal(total, Of(type));
        }
    }

    [Fact]
    public async Task An_export_waits_as_queued_while_no_worker_runs_and_one_interrupted_by_a_restart_is_picked_up_again_and_finished()
    {
        await using var held = new AftercareApplication(new() { ["Aftercare:BulkExport:RunWorker"] = "false" });
        await held.InitializeAsync();
        var client = await Backend(held, "registry-restart", SmartSetup.ReadScope);
        var status = await KickOff(client, "fhir/$export?_type=Patient");
        var waiting = await client.GetAsync(status, Ct);
        Assert.Equal(HttpStatusCode.Accepted, waiting.StatusCode);
        Assert.Equal("queued", waiting.Headers.GetValues("X-Progress").Single());
        Assert.Equal(TimeSpan.FromSeconds(new BulkExportOptions().PollSeconds), waiting.Headers.RetryAfter?.Delta);

        // A server took it and stopped part-way: running, claimed, a file half written.
        var id = Guid.Parse(status[(status.LastIndexOf('/') + 1)..]);
        await held.Read(async db =>
        {
            var export = await db.BulkExports.SingleAsync(e => e.Id == id, Ct);
            export.Begin("bulk-stopped", held.Clock.GetUtcNow(), held.Clock.GetUtcNow().AddMinutes(5), 1000);
            export.Progress(50, held.Clock.GetUtcNow().AddMinutes(5));
            db.BulkExportFiles.Add(BulkExportFile.Write(id, "Patient", 1, 1, "{\"resourceType\":\"Patient\",\"id\":\"half\"}\n", held.Clock.GetUtcNow()));
            return await db.SaveChangesAsync(Ct);
        });
        var running = await client.GetAsync(status, Ct);
        Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
        Assert.Equal("50 of 1000 records done", running.Headers.GetValues("X-Progress").Single());

        // Not while its claim holds; once the claim has lapsed (nothing renewed it), the next worker takes it and starts over.
        var worker = held.Services.GetRequiredService<BulkExportWorker>();
        Assert.False(await worker.RunOnceAsync(Ct));
        await held.Read(async db =>
        {
            var export = await db.BulkExports.SingleAsync(e => e.Id == id, Ct);
            export.Progress(50, held.Clock.GetUtcNow().AddSeconds(-1));
            return await db.SaveChangesAsync(Ct);
        });
        Assert.True(await worker.RunOnceAsync(Ct));

        var files = await Download(client, await Manifest(client, status));
        Assert.Equal(await held.PeopleCount(), files["Patient"].Count);
        Assert.DoesNotContain(files["Patient"], p => p.GetProperty("id").GetString() == "half");
    }

    [Fact]
    public async Task A_backend_service_granted_the_audit_scope_reads_and_searches_the_audit_and_one_with_read_all_does_not()
    {
        var auditor = await Backend(app, "audit-reader", "system/AuditEvent.read");
        var page = await auditor.GetAsync("fhir/AuditEvent?_count=2", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var first = (await page.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"fhir/AuditEvent/{first}", Ct)).StatusCode);
        // That scope reads the audit only, not the records.
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("fhir/Encounter?patient=Patient/" + Guid.NewGuid(), Ct)).StatusCode);

        var records = await Backend(app, "records-reader", SmartSetup.ReadScope);
        Assert.Equal(HttpStatusCode.Forbidden, (await records.GetAsync("fhir/AuditEvent", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await records.GetAsync($"fhir/AuditEvent/{first}", Ct)).StatusCode);
        Assert.True(await app.Read(db => db.AuditEvents.AnyAsync(a => a.Actor == "client:audit-reader" && a.Action == AuditAction.AuditSearched, Ct)));
    }

    [Fact]
    public async Task The_capability_statement_declares_bulk_export_at_system_patient_and_group_level()
    {
        var statement = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("fhir/metadata", Ct);
        Assert.Contains(BulkExportFhir.BulkCapability, statement.GetProperty("instantiates").EnumerateArray().Select(e => e.GetString()));
        var rest = statement.GetProperty("rest")[0];
        Assert.Contains(BulkExportFhir.ExportDefinition, rest.GetProperty("operation").EnumerateArray().Select(o => o.GetProperty("definition").GetString()));
        string? Defined(string type) => rest.GetProperty("resource").EnumerateArray().Single(r => r.GetProperty("type").GetString() == type)
            .GetProperty("operation").EnumerateArray().Single().GetProperty("definition").GetString();
        Assert.Equal(BulkExportFhir.PatientExportDefinition, Defined("Patient"));
        Assert.Equal(BulkExportFhir.GroupExportDefinition, Defined("Group"));
    }
}

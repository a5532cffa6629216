using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Access;
using Aftercare.App.Access;
using Aftercare.App.Data;
using Aftercare.App.Demo;
using Aftercare.App.Users;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Sharing;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue #6, need-to-know, proven from the app's own endpoint list: every page and endpoint is
/// classified, and every one that shows a record is tried by each relationship a user can have to it.
/// </summary>
public sealed class NeedToKnowTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private const string Password = "Matrix-Test-Password-1";

    /// <summary>How a caller stands to the record under test.</summary>
    public enum Caller
    {
        OwnTeam,
        OtherTeam,
        BreakGlassActive,
        BreakGlassExpired,
        ServiceManager,
        SignedOut,
    }

    /// <summary>The one person the matrix is tried on, with one of each thing a route can name.</summary>
    private sealed record Subject(Guid Person, Dictionary<RecordKind, Guid> Ids);

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static Subject? _subject;
    private static Dictionary<Caller, HttpClient>? _callers;

    private async Task<(Subject Subject, Dictionary<Caller, HttpClient> Callers)> Setup()
    {
        await Once.WaitAsync();
        try
        {
            if (_subject is not null && _callers is not null)
            {
                return (_subject, _callers);
            }

            // A demo person with an episode, a contact and a referral; a letter to their GP is added.
            var (person, presentation, contact, referral) = await app.Read(async db =>
            {
                var r = await db.Referrals.OrderBy(x => x.Id).FirstAsync();
                var c = await db.Contacts.Where(x => x.PersonId == r.PersonId).OrderBy(x => x.Id).FirstAsync();
                var p = await db.Presentations.Where(x => x.PersonId == r.PersonId).OrderBy(x => x.Id).FirstAsync();
                return (r.PersonId, p.Id, c.Id, r.Id);
            });
            var share = await app.Read(async db =>
            {
                var letter = Share.WithGp(person, "Demo Street Surgery (fictional)",
                    new Domain.Assessments.ConfidentialityAndConsent(AftercareApplication.Now, "matrix", Domain.Presentations.YesNoUnknown.No, null, Domain.Presentations.YesNoUnknown.Yes),
                    AftercareApplication.Now, (Guid.NewGuid(), 1), null, "matrix@test", AftercareApplication.Now).Value;
                db.Shares.Add(letter);
                await db.SaveChangesAsync();
                return letter.Id;
            });

            var active = await AddHillsideUser("matrix.glass.active@test.example");
            var expired = await AddHillsideUser("matrix.glass.expired@test.example");
            await app.Read(async db =>
            {
                db.BreakGlassGrants.Add(BreakGlassGrant.Open(active, "matrix.glass.active@test.example", person, BreakGlassReason.EmergencyCare, "Matrix test: the person is here now.", AftercareApplication.Now.AddMinutes(-5), BreakGlass.Duration).Value);
                db.BreakGlassGrants.Add(BreakGlassGrant.Open(expired, "matrix.glass.expired@test.example", person, BreakGlassReason.EmergencyCare, "Matrix test: yesterday's emergency.", AftercareApplication.Now.AddDays(-1), BreakGlass.Duration).Value);
                await db.SaveChangesAsync();
                return 0;
            });

            _subject = new Subject(person, new()
            {
                [RecordKind.Person] = person,
                [RecordKind.Presentation] = presentation,
                [RecordKind.Contact] = contact,
                [RecordKind.Referral] = referral,
                [RecordKind.Share] = share,
            });
            _callers = new()
            {
                [Caller.OwnTeam] = await app.ClientFor(Roles.Clinician),
                [Caller.OtherTeam] = await app.ClientFor(app.OtherTeamClinician),
                [Caller.BreakGlassActive] = await SignIn("matrix.glass.active@test.example"),
                [Caller.BreakGlassExpired] = await SignIn("matrix.glass.expired@test.example"),
                [Caller.ServiceManager] = await app.ClientFor(Roles.ServiceManager),
                [Caller.SignedOut] = app.AnonymousClient(),
            };
            return (_subject, _callers);
        }
        finally
        {
            Once.Release();
        }
    }

    private async Task<string> AddHillsideUser(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var s = scope.ServiceProvider;
        // Setup may be tried again after a later step failed: the user it added then is used again.
        if (await s.GetRequiredService<UserManager<AftercareUser>>().FindByEmailAsync(email) is { } existing)
        {
            return existing.Id;
        }

        var added = await AddUser.Handle(s.GetRequiredService<UserManager<AftercareUser>>(), s.GetRequiredService<RoleManager<IdentityRole>>(),
            s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), App.Actor.System,
            new AddUser.Command(email, Roles.Clinician, null, Password, [DemoData.OtherTeamSite]));
        Assert.True(added.IsSuccess, string.Join("; ", added.Errors.Select(e => e.Message)));
        return added.Value.UserId;
    }

    private async Task<HttpClient> SignIn(string email)
    {
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, Password)).StatusCode);
        return client;
    }

    private static bool Refused(HttpResponseMessage response, Guid person) =>
        response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString is var to
            && (to.Contains(NeedToKnow.RestrictedPage(person), StringComparison.Ordinal) || to.Contains("/signin", StringComparison.Ordinal) || to.Contains("/denied", StringComparison.Ordinal)));

    private static bool MayOpen(Caller caller) => caller is Caller.OwnTeam or Caller.BreakGlassActive;

    /// <summary>Framework plumbing with no data of its own.</summary>
    private static readonly string[] Plumbing = ["/_framework/opaque-redirect"];

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Where(e => !Plumbing.Contains(e.RoutePattern.RawText))];

    [Fact]
    public void Every_page_and_endpoint_is_classified_so_none_can_slip_through()
    {
        var unclassified = Endpoints()
            .Where(e => e.Metadata.GetMetadata<RecordOfAttribute>() is null && e.Metadata.GetMetadata<NoRecordAttribute>() is null && e.Metadata.GetMetadata<RecordCheckedOnAnswerAttribute>() is null)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.True(unclassified.Count == 0, "Mark these [RecordOf], [NoRecord] or [RecordCheckedOnAnswer]: " + string.Join(", ", unclassified));

        // A route with an id in it either names whose record it is, or is one of the few that show none.
        var idRoutesWithoutOwner = Endpoints()
            .Where(e => e.RoutePattern.Parameters.Any(p => p.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase)))
            .Where(e => e.Metadata.GetMetadata<RecordOfAttribute>() is null && e.Metadata.GetMetadata<RecordCheckedOnAnswerAttribute>() is null)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.Equal(["/people/{PersonId:guid}/restricted"], idRoutesWithoutOwner);
    }

    [Fact]
    public async Task Authorisation_matrix_every_record_page_and_endpoint_for_every_relationship()
    {
        var (subject, callers) = await Setup();
        var failures = new List<string>();
        foreach (var endpoint in Endpoints().Where(e => e.Metadata.GetOrderedMetadata<RecordOfAttribute>().Count > 0))
        {
            var record = endpoint.Metadata.GetOrderedMetadata<RecordOfAttribute>().First(r => endpoint.RoutePattern.Parameters.Any(p => string.Equals(p.Name, r.RouteValue, StringComparison.OrdinalIgnoreCase)));
            var path = endpoint.RoutePattern.RawText!;
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                path = path.Replace($"{{{parameter.Name}:guid}}", subject.Ids[record.Kind].ToString(), StringComparison.Ordinal);
            }

            foreach (var (caller, client) in callers)
            {
                var response = await client.GetAsync(path.TrimStart('/'));
                var refused = Refused(response, subject.Person);
                if (refused == MayOpen(caller))
                {
                    failures.Add($"{caller} GET {path}: {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Id_swap_another_teams_persons_id_is_refused_and_audited_on_every_route_and_FHIR_answers_as_if_it_were_not_there()
    {
        var (subject, callers) = await Setup();
        var other = callers[Caller.OtherTeam];
        var own = callers[Caller.OwnTeam];
        var refusedBefore = await app.Read(db => db.AuditEvents.CountAsync(a => a.PersonId == subject.Person && (a.Action == AuditAction.RecordRefused || a.Action == AuditAction.FhirRefused)));
        var attempts = 0;
        var failures = new List<string>();

        // Pages, downloads and the JSON API.
        foreach (var endpoint in Endpoints().Where(e => e.Metadata.GetOrderedMetadata<RecordOfAttribute>().Count > 0))
        {
            var record = endpoint.Metadata.GetOrderedMetadata<RecordOfAttribute>().First(r => endpoint.RoutePattern.Parameters.Any(p => string.Equals(p.Name, r.RouteValue, StringComparison.OrdinalIgnoreCase)));
            var path = endpoint.RoutePattern.RawText!.Replace($"{{{endpoint.RoutePattern.Parameters[0].Name}:guid}}", subject.Ids[record.Kind].ToString(), StringComparison.Ordinal);
            attempts++;
            if (!Refused(await other.GetAsync(path.TrimStart('/')), subject.Person))
            {
                failures.Add($"GET {path}");
            }
        }

        // FHIR: every read, vread, history and search of the person's resources, with ids the care team can see.
        // Definitions and a site's Group (which lists no members) are no one's record.
        var fhirTypes = Endpoints().Select(e => e.RoutePattern.RawText!).Where(r => r.StartsWith("/fhir/", StringComparison.Ordinal) && r.EndsWith("/{id}", StringComparison.Ordinal))
            .Select(r => r.Split('/')[2]).Distinct().Except(["HealthcareService", "Organization", "Practitioner", "Questionnaire", "AuditEvent", "StructureDefinition", "CodeSystem", "Group"]).ToList();
        Assert.Contains("Patient", fhirTypes);
        foreach (var type in fhirTypes)
        {
            var search = type == "Patient" ? $"fhir/Patient/{subject.Person}" : $"fhir/{type}?patient=Patient/{subject.Person}";
            var seen = await own.GetAsync(search);
            Assert.True(seen.IsSuccessStatusCode, $"{type}: the care team cannot read it ({(int)seen.StatusCode})");
            var json = JsonDocument.Parse(await seen.Content.ReadAsStringAsync()).RootElement;
            var id = type == "Patient" ? subject.Person.ToString()
                : json.TryGetProperty("entry", out var entries) && entries.GetArrayLength() > 0 ? entries[0].GetProperty("resource").GetProperty("id").GetString() : null;
            var tries = new List<string> { search };
            if (id is not null && type != "Patient")
            {
                tries.Add($"fhir/{type}/{id}");
            }

            if (id is not null && type is "CarePlan" or "QuestionnaireResponse")
            {
                tries.Add($"fhir/{type}/{id}/_history/1");
            }

            if (id is not null && type == "CarePlan")
            {
                tries.Add($"fhir/CarePlan/{id}/_history");
            }

            foreach (var attempt in tries)
            {
                attempts++;
                var response = await other.GetAsync(attempt);
                var body = await response.Content.ReadAsStringAsync();
                // Anything returned is a leak; and so is any answer that differs from the one for a
                // record that does not exist (a status, a total, a version): issue 17.
                var leaked = response.IsSuccessStatusCode
                    && (JsonDocument.Parse(body).RootElement is var answer && (answer.GetProperty("resourceType").GetString() != "Bundle" || (answer.TryGetProperty("entry", out var returned) && returned.GetArrayLength() > 0)));
                var (ghostPerson, ghostId) = (Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString());
                var ghost = attempt.Replace(subject.Person.ToString(), ghostPerson, StringComparison.Ordinal);
                ghost = id is null || id == subject.Person.ToString() ? ghost : ghost.Replace(id, ghostId, StringComparison.Ordinal);
                var nothing = await other.GetAsync(ghost);
                var nothingBody = (await nothing.Content.ReadAsStringAsync()).Replace(ghostPerson, subject.Person.ToString(), StringComparison.Ordinal);
                nothingBody = id is null ? nothingBody : nothingBody.Replace(ghostId, id, StringComparison.Ordinal);
                if (leaked || response.StatusCode != nothing.StatusCode || body != nothingBody)
                {
                    failures.Add($"GET {attempt}: {(int)response.StatusCode}, where no such record answers {(int)nothing.StatusCode}{(body != nothingBody ? " with another body" : "")}");
                }
            }
        }

        Assert.True(failures.Count == 0, "Not refused: " + string.Join("; ", failures));
        var refusedAfter = await app.Read(db => db.AuditEvents.CountAsync(a => a.PersonId == subject.Person && (a.Action == AuditAction.RecordRefused || a.Action == AuditAction.FhirRefused)));
        Assert.True(refusedAfter - refusedBefore >= attempts - fhirTypes.Count, $"{refusedAfter - refusedBefore} refusals audited for {attempts} attempts");
        Assert.True(attempts > 30, $"only {attempts} routes tried");
    }

    [Fact]
    public async Task Another_team_finds_only_that_a_record_exists_and_lists_show_no_one_outside_the_care_team()
    {
        var (subject, callers) = await Setup();
        var other = callers[Caller.OtherTeam];
        var (mrn, names) = await app.Read(async db => (
            await db.People.Where(p => p.Id == subject.Person).SelectMany(p => p.Identifiers).Where(i => i.Kind == Domain.People.IdentifierKind.Mrn).Select(i => i.Value).FirstAsync(),
            await db.People.Select(p => p.GivenName + " " + p.FamilyName).ToListAsync()));
        var found = await other.PostAsJsonAsync("api/people/search", new { IdentifierKind = "Mrn", Identifier = mrn });
        var match = Assert.Single(JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.True(match.GetProperty("restricted").GetBoolean());
        Assert.Equal(App.People.FindPeople.RestrictedLabel, match.GetProperty("displayName").GetString());
        Assert.Empty(match.GetProperty("identifiers").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, match.GetProperty("dateOfBirth").ValueKind);
        Assert.Equal(JsonValueKind.Null, match.GetProperty("presentations").ValueKind);

        // No page the other team can reach names anyone they do not care for.
        foreach (var page in new[] { "", "worklist", "plans/reviews-due", "people", "services", "presentations/new", $"presentations/new?person={subject.Person}", NeedToKnow.RestrictedPage(subject.Person).TrimStart('/') })
        {
            var html = await other.GetStringAsync(page);
            Assert.DoesNotContain(names, n => html.Contains(n, StringComparison.Ordinal));
        }

        // The care team sees the same person in full.
        var ownMatch = JsonDocument.Parse(await (await callers[Caller.OwnTeam].PostAsJsonAsync("api/people/search", new { IdentifierKind = "Mrn", Identifier = mrn })).Content.ReadAsStringAsync()).RootElement[0];
        Assert.False(ownMatch.GetProperty("restricted").GetBoolean());
        Assert.Contains(ownMatch.GetProperty("displayName").GetString(), names);
    }

    [Fact]
    public async Task Breaking_the_glass_needs_a_reason_and_the_password_opens_one_record_for_hours_and_waits_for_review()
    {
        await Setup();
        var email = "glass.breaker@test.example";
        var userId = await AddHillsideUser(email);
        var client = await SignIn(email);
        var (person, neighbour) = await app.Read(async db =>
        {
            var two = await db.People.Where(p => p.Identifiers.Any(i => i.Value.StartsWith("DEMO"))).OrderByDescending(p => p.Id).Take(2).Select(p => p.Id).ToListAsync();
            return (two[0], two[1]);
        });
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync($"people/{person}")).StatusCode);

        // No reason, too few words and a wrong password: each is named, nothing is opened.
        var refused = await client.Post(NeedToKnow.RestrictedPage(person), "break-glass", new Dictionary<string, string> { ["Form.Justification"] = "short", ["Form.Password"] = "not my password" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Choose why you need this record", page, StringComparison.Ordinal);
        Assert.Contains("That password is not right.", page, StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.BreakGlassGrants.AnyAsync(g => g.UserId == userId)));

        var opened = await client.Post(NeedToKnow.RestrictedPage(person), "break-glass", new Dictionary<string, string>
        {
            ["Form.Reason"] = nameof(BreakGlassReason.PresentedToMyService),
            ["Form.Justification"] = "They have walked into our community team and asked for help.",
            ["Form.Password"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.EndsWith($"/people/{person}", opened.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"people/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);

        // A FHIR search by their MRN finds them too, and is audited as emergency access; the neighbour's finds no one.
        var mrns = await app.Read(db => db.People.Where(p => p.Id == person || p.Id == neighbour)
            .Select(p => new { p.Id, Mrn = p.Identifiers.First(i => i.Kind == IdentifierKind.Mrn).Value }).ToDictionaryAsync(p => p.Id, p => p.Mrn));
        async Task<string[]> Found(Guid who)
        {
            var bundle = JsonDocument.Parse(await client.GetStringAsync($"fhir/Patient?identifier={Uri.EscapeDataString($"{Aftercare.Fhir.FhirSystems.MrnSystem}|{mrns[who]}")}")).RootElement;
            return bundle.TryGetProperty("entry", out var entries) ? [.. entries.EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!)] : [];
        }

        Assert.Equal([person.ToString()], await Found(person));
        Assert.Empty(await Found(neighbour));

        // One record only: the next person is still closed.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync($"people/{neighbour}")).StatusCode);
        var audit = await app.AuditFor(person);
        Assert.Contains(audit, a => a.Action == AuditAction.BreakGlassOpened && a.ActorId == userId && a.Purpose == AuditPurpose.EmergencyAccess);
        Assert.Equal(3, audit.Count(a => a.Action == AuditAction.BreakGlassAccess && a.ActorId == userId));
        Assert.DoesNotContain(await app.AuditFor(neighbour), a => a.ActorId == userId && a.Action is AuditAction.BreakGlassAccess or AuditAction.PeopleSearched);

        // The privacy lead sees it on the queue and signs it off; their own sign-off is audited.
        var lead = await app.ClientFor(Roles.PrivacyLead);
        var queue = await lead.GetStringAsync("privacy/break-glass");
        Assert.Contains("They have walked into our community team and asked for help.", queue, StringComparison.Ordinal);
        var grant = await app.Read(db => db.BreakGlassGrants.SingleAsync(g => g.UserId == userId));
        Assert.Equal(HttpStatusCode.Redirect, (await lead.Post("privacy/break-glass", $"review-{grant.Id}", new Dictionary<string, string>
        {
            ["Form.GrantId"] = grant.Id.ToString(),
            ["Form.Outcome"] = nameof(BreakGlassReviewOutcome.Appropriate),
        })).StatusCode);
        Assert.NotNull(await app.Read(db => db.BreakGlassGrants.Where(g => g.Id == grant.Id).Select(g => g.ReviewedAt).SingleAsync()));
        Assert.Contains(await app.AuditFor(person), a => a.Action == AuditAction.BreakGlassReviewed);

        // Clinicians cannot reach the queue; the privacy lead cannot open records.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("privacy/break-glass")).StatusCode);
        Assert.True(Refused(await lead.GetAsync($"people/{person}"), person));
    }

    [Fact]
    public async Task A_colleague_added_to_the_care_team_by_the_team_can_open_the_record_and_no_one_else_can_add_them()
    {
        var (subject, callers) = await Setup();
        var email = "assigned.therapist@test.example";
        await AddHillsideUser(email);
        var colleague = await SignIn(email);
        var page = $"people/{subject.Person}";
        Assert.True(Refused(await colleague.GetAsync(page), subject.Person));

        // Someone outside the team cannot add themselves or anyone else.
        Assert.NotEqual(HttpStatusCode.Redirect, (await callers[Caller.BreakGlassActive].Post(page, "care-team", new Dictionary<string, string> { ["Colleague"] = email })).StatusCode);
        Assert.False(await app.Read(db => db.CareAssignments.AnyAsync(a => a.PersonId == subject.Person)));

        var added = await callers[Caller.OwnTeam].Post(page, "care-team", new Dictionary<string, string> { ["Colleague"] = email });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.GetAsync(page)).StatusCode);
        Assert.Contains(await app.AuditFor(subject.Person), a => a.Action == AuditAction.CareTeamChanged);
        Assert.Contains("assigned.therapist@test.example", await callers[Caller.OwnTeam].GetStringAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_reads_differently_from_an_empty_one_when_breaking_the_glass()
    {
        var (subject, _) = await Setup();
        var email = "glass.password@test.example";
        await AddHillsideUser(email);
        var client = await SignIn(email);
        var fields = new Dictionary<string, string>
        {
            ["Form.Reason"] = nameof(BreakGlassReason.EmergencyCare),
            ["Form.Justification"] = "They are in our emergency department now and cannot say what they took.",
        };

        var empty = await (await client.Post(NeedToKnow.RestrictedPage(subject.Person), "break-glass", fields)).Content.ReadAsStringAsync();
        Assert.Contains(BreakGlass.EnterPassword, empty, StringComparison.Ordinal);
        Assert.DoesNotContain("That password is not right", empty, StringComparison.Ordinal);

        var wrong = await (await client.Post(NeedToKnow.RestrictedPage(subject.Person), "break-glass", new Dictionary<string, string>(fields) { ["Form.Password"] = "not my password" })).Content.ReadAsStringAsync();
        Assert.Contains("That password is not right.", wrong, StringComparison.Ordinal);
        Assert.Contains("after 5 failed tries", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain(BreakGlass.EnterPassword, wrong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_of_a_record_opened_in_an_emergency_says_so_and_when_it_ends()
    {
        var (subject, callers) = await Setup();
        var grant = await app.Read(db => db.BreakGlassGrants.SingleAsync(g => g.UserEmail == "matrix.glass.active@test.example"));
        var until = TimeZoneInfo.ConvertTime(grant.ExpiresAt, London.Zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var page in new[] { $"people/{subject.Person}", $"presentations/{subject.Ids[RecordKind.Presentation]}/assessment", $"people/{subject.Person}/safety-plan", $"referrals/{subject.Ids[RecordKind.Referral]}" })
        {
            var html = await callers[Caller.BreakGlassActive].GetStringAsync(page);
            Assert.Contains($"Emergency access: open until {until} today, for the reason you gave", html, StringComparison.Ordinal);
        }

        // The care team's own view of the same record carries no such banner.
        Assert.DoesNotContain("Emergency access: open until", await callers[Caller.OwnTeam].GetStringAsync($"people/{subject.Person}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_privacy_lead_opens_the_audit_of_a_use_they_review()
    {
        var (subject, callers) = await Setup();
        await callers[Caller.BreakGlassActive].GetStringAsync($"people/{subject.Person}");
        var lead = await app.ClientFor(Roles.PrivacyLead);
        var queue = await lead.GetStringAsync("privacy/break-glass");
        var link = System.Text.RegularExpressions.Regex.Match(queue,
            $"href=\"(/audit\\?personId={subject.Person}&amp;actor=matrix.glass.active%40test.example[^\"]*)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(link), "no link to the audit of the use");
        Assert.DoesNotContain("see the audit", queue, StringComparison.Ordinal);

        var audit = await lead.GetAsync(System.Net.WebUtility.HtmlDecode(link).TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var html = await audit.Content.ReadAsStringAsync();
        Assert.Contains("<td>Page opened under emergency access</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>matrix.glass.active@test.example</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>matrix.glass.expired@test.example</td>", html, StringComparison.Ordinal);
    }
}

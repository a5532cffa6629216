using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.App.Demo;
using Aftercare.Domain.Access;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 17: one care team must not be able to change, open or learn about another team's
/// records through what it posts. Ids in form bodies and JSON are checked against the record in
/// the route; registration is no back door into a record; and FHIR answers someone outside a
/// record exactly as it answers for a record that does not exist.
/// </summary>
public sealed partial class RecordBoundaryTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    /// <summary>A record built through the team's own forms: enrolled, a therapy course, a consent decision, an assessment and both plans.</summary>
    private sealed record Record(Guid Person, Guid Presentation, string Mrn);

    private async Task<Record> NewRecord(HttpClient client, Guid siteId, string given)
    {
        var mrn = Requests.NewMrn();
        var created = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(siteId, AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(mrn, given: given, family: "Boundary")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var person = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentation = await app.Read(db => db.Presentations.Where(p => p.PersonId == person).Select(p => p.Id).SingleAsync());
        var enrolled = await client.Post($"presentations/{presentation}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-1)), ["pathwayId"] = "first-contact", ["reason"] = "", ["preference"] = "NoPreference",
        });
        Assert.True(enrolled.StatusCode == HttpStatusCode.Redirect, System.Text.RegularExpressions.Regex.Match(await enrolled.Content.ReadAsStringAsync(), "field-error[^<]*<span[^<]*</span>([^<]*)").Value);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{person}", "therapy", new Dictionary<string, string>
        {
            ["type"] = "ProblemSolving", ["plannedSessions"] = "6", ["startsOn"] = "2026-11-20", ["therapist"] = "Therapist Example", ["therapistTraining"] = "Problem-solving therapy course", ["supervision"] = "Fortnightly",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{person}/consent", "consent", new Dictionary<string, string>
        {
            ["Decision.Topic"] = "InvolveFamilyOrCarers", ["Decision.Agreed"] = "yes", ["Decision.Whom"] = "A synthetic sister", ["Decision.WhatTheyMayKnow"] = "The plan",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentation}/assessment", "assessment", PlansTests.Assessment(0, "complete"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{person}/care-plan", "care-plan", new Dictionary<string, string>
        {
            ["version"] = "0", ["action"] = "draft", ["longTermGoals"] = "Back to college", ["goal-0-goal"] = "Sleep better", ["goal-0-steps"] = "No screens late",
        }.Append(new("aims", "PreventEscalation")))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{person}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"))).StatusCode);
        return new Record(person, presentation, mrn);
    }

    private Task<Guid> Site(string code) => app.Read(db => db.Sites.Where(s => s.Code == code).Select(s => s.Id).SingleAsync());

    /// <summary>The things a form can name on a person's record, as the record stands now.</summary>
    private sealed record State(EpisodeStatus Episode, int Sessions, bool DecisionWithdrawn, int AuditByOutsider);

    private Task<State> StateOf(Guid person, string outsiderId) => app.Read(async db => new State(
        await db.Episodes.Where(e => e.PersonId == person).Select(e => e.Status).SingleAsync(),
        await db.TherapyCourses.Where(c => c.PersonId == person).Select(c => c.SessionsAttended).SingleAsync(),
        await db.ConsentDecisions.Where(d => d.PersonId == person).AnyAsync(d => d.WithdrawnAt != null),
        await db.AuditEvents.CountAsync(a => a.PersonId == person && a.ActorId == outsiderId)));

    [Fact]
    public async Task An_id_posted_in_any_form_reaches_only_the_record_the_page_is_about()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var outsiderId = await app.Read(db => db.Users.Where(u => u.Email == app.OtherTeamClinician.Email).Select(u => u.Id).SingleAsync());
        var victim = await NewRecord(own, await app.SiteId(), "Vic");
        var mine = await NewRecord(outsider, await Site(DemoData.OtherTeamSite), "Ourown");

        // Every id a form of the outsider's own record carries, and the victim's id of the same kind.
        var victimIds = await app.Read(async db => new Dictionary<string, Guid>
        {
            ["episodeId"] = await db.Episodes.Where(e => e.PersonId == victim.Person).Select(e => e.Id).SingleAsync(),
            ["courseId"] = await db.TherapyCourses.Where(c => c.PersonId == victim.Person).Select(c => c.Id).SingleAsync(),
            ["Withdrawal.DecisionId"] = await db.ConsentDecisions.Where(d => d.PersonId == victim.Person).Select(d => d.Id).SingleAsync(),
        });

        // Ids that name no one's record: the services directory, the sites, and the entries of the
        // document being edited (matched against the same person's assessment when saved).
        static bool NamesNoRecord(string field) => field is "serviceId" || RiskEntry().IsMatch(field);

        var before = await StateOf(victim.Person, outsiderId);
        var tried = new List<string>();
        var failures = new List<string>();
        string[] pages = [$"people/{mine.Person}", $"people/{mine.Person}/consent", $"people/{mine.Person}/safety-plan", $"people/{mine.Person}/care-plan",
            $"presentations/{mine.Presentation}/assessment", $"presentations/{mine.Presentation}/aftercare"];
        foreach (var page in pages)
        {
            var html = await outsider.GetStringAsync(page);
            foreach (Match form in FormElement().Matches(html))
            {
                if (!string.Equals(Attribute(form.Groups[1].Value, "method"), "post", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var fields = Fields(form.Value);
                foreach (var (name, value) in fields.Where(f => f.Key != "__RequestVerificationToken" && Guid.TryParse(f.Value, out _)).ToList())
                {
                    if (NamesNoRecord(name))
                    {
                        continue;
                    }

                    if (!victimIds.TryGetValue(name, out var theirs))
                    {
                        failures.Add($"{page}: a form posts the id \"{name}\", which this test does not know: add it with another team's id of the same kind.");
                        continue;
                    }

                    tried.Add(name);
                    var swapped = fields.Select(f => f.Key == name ? new KeyValuePair<string, string>(name, theirs.ToString()) : f).ToList();
                    await outsider.PostAsync(WebUtility.HtmlDecode(Attribute(form.Groups[1].Value, "action") ?? page).TrimStart('/') is { Length: > 0 } action ? action : page,
                        new FormUrlEncodedContent(swapped));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(["Withdrawal.DecisionId", "courseId", "episodeId"], tried.Distinct().Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(before, await StateOf(victim.Person, outsiderId));
        Assert.Equal(EpisodeStatus.Active, before.Episode);

        // The outsider's own record still answers to the same forms.
        var episode = await app.Read(db => db.Episodes.Where(e => e.PersonId == mine.Person).Select(e => e.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await outsider.Post($"people/{mine.Person}", $"close-{episode}", new Dictionary<string, string>
        {
            ["episodeId"] = episode.ToString(), ["reason"] = nameof(EpisodeCloseReason.PersonDeclined),
        })).StatusCode);
        Assert.Equal(EpisodeStatus.Closed, await app.Read(db => db.Episodes.Where(e => e.Id == episode).Select(e => e.Status).SingleAsync()));
    }

    [Fact]
    public async Task Registering_a_presentation_for_someone_another_team_holds_asks_why_showing_nothing_of_them()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var held = await NewRecord(own, await app.SiteId(), "Heldelsewhere");

        var form = await outsider.GetStringAsync($"presentations/new?person={held.Person}");
        Assert.Contains("Why are you registering this presentation for them?", form, StringComparison.Ordinal);
        Assert.DoesNotContain("Heldelsewhere", form, StringComparison.Ordinal);
        Assert.DoesNotContain(held.Mrn, form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_a_presentation_for_someone_another_team_holds_without_a_reason_is_refused_and_nothing_opens()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var hillside = await Site(DemoData.OtherTeamSite);
        var held = await NewRecord(own, await app.SiteId(), "Heldelsewhere");
        var presentations = await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == held.Person));

        // Refused on the page and in the API.
        var page = await outsider.Post("presentations/new", "register", new Dictionary<string, string>
        {
            ["Form.UsePersonId"] = held.Person.ToString(), ["Form.ArrivedAt"] = London.Local(AftercareApplication.Now.AddHours(-1)),
            ["Form.SiteId"] = hillside.ToString(), ["methods"] = "MedicationOrDrugs",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        Assert.Contains("Choose why you are registering a presentation for them", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var api = await outsider.PostAsJsonAsync("api/presentations", Requests.Presentation(hillside, AftercareApplication.Now.AddHours(-1), personId: held.Person));
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        var errors = (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("joinReason", out _) && errors.TryGetProperty("joinJustification", out _), errors.ToString());
        Assert.Equal(presentations, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == held.Person)));
        Assert.Equal(HttpStatusCode.Redirect, (await outsider.GetAsync($"people/{held.Person}")).StatusCode);
        Assert.False(await app.Read(db => db.BreakGlassGrants.AnyAsync(g => g.PersonId == held.Person)));
    }

    [Fact]
    public async Task An_intake_linked_by_identifier_to_someone_another_team_holds_is_refused_without_naming_them_and_nothing_opens()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var held = await NewRecord(own, await app.SiteId(), "Heldelsewhere");
        var presentations = await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == held.Person));

        // The outsider's emergency department sends the person by their MRN (ifNoneExist): the link is
        // asked in the same look-up as the new person's identifiers, and is no back door into the record.
        var refused = await outsider.PostAsync("fhir", FhirTests.Json(FhirTests.IntakeBundle(held.Mrn, DemoData.OtherTeamSite, AftercareApplication.Now.AddHours(-1))));
        var said = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{refused.StatusCode}: {said}");
        Assert.Contains("held by another care team", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Heldelsewhere", said, StringComparison.Ordinal);
        Assert.Equal(presentations, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == held.Person)));
        Assert.False(await app.Read(db => db.BreakGlassGrants.AnyAsync(g => g.PersonId == held.Person)));
        Assert.Equal(HttpStatusCode.Redirect, (await outsider.GetAsync($"people/{held.Person}")).StatusCode);

        // The record's own team: a Patient that could not make a new person (no birth date) is not
        // needed when the identifier's holder is the answer; the presentation is theirs.
        var bundle = FhirTests.IntakeBundle(held.Mrn, Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-1));
        bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Patient>().Single().BirthDate = null;
        var linked = await own.PostAsync("fhir", FhirTests.Json(bundle));
        Assert.True(linked.StatusCode == HttpStatusCode.OK, await linked.Content.ReadAsStringAsync());
        var answer = Assert.IsType<Hl7.Fhir.Model.Bundle>(Aftercare.Fhir.FhirJson.Parse(await linked.Content.ReadAsStringAsync()).Value);
        Assert.Equal(("200 OK", $"Patient/{held.Person}/_history/1"), (answer.Entry[0].Response!.Status, answer.Entry[0].Response!.Location));
        Assert.Equal(presentations + 1, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == held.Person)));
    }

    [Fact]
    public async Task Registering_a_presentation_for_someone_another_team_holds_with_a_reason_goes_on_the_privacy_leads_queue()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var outsiderId = await app.Read(db => db.Users.Where(u => u.Email == app.OtherTeamClinician.Email).Select(u => u.Id).SingleAsync());
        var hillside = await Site(DemoData.OtherTeamSite);
        var held = await NewRecord(own, await app.SiteId(), "Heldelsewhere");

        // Registered, audited as emergency access and queued for review.
        const string why = "They have come to our emergency department today and asked for help.";
        var registered = await outsider.PostAsJsonAsync("api/presentations", new
        {
            personId = held.Person, arrivedAt = AftercareApplication.Now.AddHours(-1), siteId = hillside, methods = Medication,
            alcoholInvolved = "No", medicalTreatmentNeeded = "No", disposition = "Discharged",
            joinReason = nameof(BreakGlassReason.PresentedToMyService), joinJustification = why,
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var grant = await app.Read(db => db.BreakGlassGrants.SingleAsync(g => g.PersonId == held.Person));
        Assert.Equal((outsiderId, BreakGlassReason.PresentedToMyService, why), (grant.UserId, grant.Reason, grant.Justification));
        Assert.Contains(await app.AuditFor(held.Person), a => a.Action == AuditAction.BreakGlassOpened && a.ActorId == outsiderId && a.Purpose == AuditPurpose.EmergencyAccess);
        Assert.Contains(why, await (await app.ClientFor(Roles.PrivacyLead)).GetStringAsync("privacy/break-glass"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await outsider.GetAsync($"people/{held.Person}")).StatusCode);
    }

    [Fact]
    public async Task A_clinician_registers_presentations_only_at_their_own_sites()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var hillside = await Site(DemoData.OtherTeamSite);
        var people = await app.PeopleCount();
        var refused = await own.PostAsJsonAsync("api/presentations",
            Requests.Presentation(hillside, AftercareApplication.Now.AddHours(-2), newPerson: Requests.NewPerson(Requests.NewMrn())));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("only at your own sites", errors.GetProperty("siteId")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(people, await app.PeopleCount());

        // The form offers only the clinician's own sites.
        var form = await own.GetStringAsync("presentations/new");
        Assert.DoesNotContain(hillside.ToString(), form, StringComparison.Ordinal);
        Assert.Contains((await app.SiteId()).ToString(), form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_the_care_team_FHIR_counts_dates_versions_and_plan_kinds_read_as_if_there_were_no_record()
    {
        var own = await app.ClientFor(Roles.Clinician);
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var held = await NewRecord(own, await app.SiteId(), "Fhirheld");
        var (arrived, safetyPlan, carePlan) = await app.Read(async db => (
            await db.Presentations.Where(p => p.PersonId == held.Person).Select(p => p.ArrivedAt).SingleAsync(),
            await db.SafetyPlans.Where(p => p.PersonId == held.Person).Select(p => p.Id).SingleAsync(),
            await db.CarePlans.Where(p => p.PersonId == held.Person).Select(p => p.Id).SingleAsync()));
        // A safety plan an outside app would write for the held person: a body that names another team's record.
        StringContent PlanBody() => FhirTests.Json(FhirTests.SafetyPlanResource(held.Person, "Words of a plan"));

        async Task Same(string path, HttpMethod? method = null, params Guid[] ids)
        {
            async Task<(HttpStatusCode, string)> Ask(string p)
            {
                using var request = new HttpRequestMessage(method ?? HttpMethod.Get, p) { Content = method == HttpMethod.Put || method == HttpMethod.Post ? PlanBody() : null };
                var response = await outsider.SendAsync(request);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }

            var (status, body) = await Ask(path);
            var nowhere = path;
            var ghosts = ids.Select(_ => Guid.CreateVersion7()).ToArray();
            for (var i = 0; i < ids.Length; i++)
            {
                nowhere = nowhere.Replace(ids[i].ToString(), ghosts[i].ToString(), StringComparison.Ordinal);
            }

            var (ghostStatus, ghostBody) = await Ask(nowhere);
            for (var i = 0; i < ids.Length; i++)
            {
                ghostBody = ghostBody.Replace(ghosts[i].ToString(), ids[i].ToString(), StringComparison.Ordinal);
            }

            Assert.True(status == ghostStatus && body == ghostBody, $"{method ?? HttpMethod.Get} {path}: {(int)status} {body}\nwhere no record answers {(int)ghostStatus} {ghostBody}");
            Assert.DoesNotContain("\"total\":1", body, StringComparison.Ordinal);
        }

        await Same($"fhir/Encounter?patient=Patient/{held.Person}&_offset=1000", null, held.Person);
        await Same($"fhir/Encounter?patient=Patient/{held.Person}&date=eq{arrived:yyyy-MM-dd}", null, held.Person);
        await Same($"fhir/Condition?subject={held.Person}&_lastUpdated=ge2000-01-01", null, held.Person);
        await Same($"fhir/CarePlan?patient=Patient/{held.Person}&status=active", null, held.Person);
        await Same($"fhir/EpisodeOfCare?patient=Patient/{held.Person}&status=active", null, held.Person);
        await Same($"fhir/Patient?identifier={held.Mrn}&_offset=5");
        await Same($"fhir/CarePlan/{safetyPlan}", HttpMethod.Put, safetyPlan);
        await Same($"fhir/CarePlan/{carePlan}", HttpMethod.Put, carePlan);
        var plans = await app.Read(db => db.SafetyPlans.CountAsync(p => p.PersonId == held.Person));
        var created = await outsider.PostAsync("fhir/CarePlan", PlanBody());
        Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
        Assert.Contains($"Patient/{held.Person} was not found.", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(plans, await app.Read(db => db.SafetyPlans.CountAsync(p => p.PersonId == held.Person)));

        // The care team still gets the real answers.
        var mine = JsonDocument.Parse(await own.GetStringAsync($"fhir/Encounter?patient=Patient/{held.Person}&_offset=1000")).RootElement;
        Assert.Equal(1, mine.GetProperty("total").GetInt32());
        var stale = await own.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{safetyPlan}") { Content = PlanBody() });
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    private static readonly string[] Medication = ["MedicationOrDrugs"];

    [GeneratedRegex("<form\\b([^>]*)>(.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormElement();

    [GeneratedRegex("<input\\b([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex Input();

    [GeneratedRegex("<button\\b([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex Button();

    [GeneratedRegex("<select\\b([^>]*)>(.*?)</select>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Select();

    [GeneratedRegex("<option\\b[^>]*value=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Option();

    [GeneratedRegex("^risk-[0-9]+-id$")]
    private static partial Regex RiskEntry();

    private static string? Attribute(string attributes, string name) =>
        Regex.Match(attributes, $"\\b{name}=\"([^\"]*)\"", RegexOptions.IgnoreCase) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    /// <summary>What a browser would post from a form as it stands: its inputs, the first real choice of each list, and its buttons' values.</summary>
    private static List<KeyValuePair<string, string>> Fields(string form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in Input().Matches(form))
        {
            var (name, type) = (Attribute(input.Groups[1].Value, "name"), Attribute(input.Groups[1].Value, "type") ?? "text");
            if (name is null || (type is "radio" or "checkbox" && !input.Groups[1].Value.Contains("checked", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            fields.Add(new(name, Attribute(input.Groups[1].Value, "value") ?? ""));
        }

        foreach (Match select in Select().Matches(form))
        {
            if (Attribute(select.Groups[1].Value, "name") is { } name && Option().Match(select.Groups[2].Value) is { Success: true } first)
            {
                fields.Add(new(name, WebUtility.HtmlDecode(first.Groups[1].Value)));
            }
        }

        foreach (Match button in Button().Matches(form))
        {
            if (Attribute(button.Groups[1].Value, "name") is { } name && Attribute(button.Groups[1].Value, "value") is { } value)
            {
                fields.Add(new(name, value));
            }
        }

        return fields;
    }
}

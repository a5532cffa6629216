using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue #3 through the real pipeline and database: assessments, plans, links and shares.</summary>
public sealed class PlansTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private const string Payload = "<script>alert('x')</script>";

    internal static Dictionary<string, string> Assessment(int version, string action, string shareWithGp = "Yes", string account = "I could not cope")
    {
        var fields = AssessmentSections.All.ToDictionary(s => s.Section.ToString(), s => s.Section == AssessmentSection.PersonsOwnAccount ? account : "Synthetic words");
        fields["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        fields["assessedAt"] = "2026-11-20T08:30";
        fields["limitsExplainedAt"] = "2026-11-20T08:30";
        fields["limitsExplainedBy"] = "Dr Example";
        fields["involveFamilyOrCarers"] = "No";
        fields["shareWithGp"] = shareWithGp;
        fields["hasDependentChildren"] = "No";
        fields["risk-0-id"] = "";
        fields["risk-0-text"] = "Urges to take an overdose when alone at night";
        fields["action"] = action;
        return fields;
    }

    internal static Dictionary<string, string> SafetyPlan(int version, string warningSigns) =>
        new(SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => s == SafetyPlanSection.WarningSigns ? warningSigns : "My words"))
        {
            ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["action"] = "complete",
        };

    [Fact]
    public async Task Completing_an_assessment_records_when_it_happened_on_the_presentation_and_audits_it()
    {
        var (client, personId, presentationId) = await app.Presented();
        var page = $"presentations/{presentationId}/assessment";
        var saved = await client.Post(page, "assessment", Assessment(0, "complete"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var presentation = await app.Read(db => db.Presentations.SingleAsync(p => p.Id == presentationId));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero), presentation.PsychosocialAssessmentAt);
        Assert.Contains(await app.AuditFor(personId), e => e.Action == AuditAction.AssessmentSaved);
        var record = await client.GetStringAsync($"people/{personId}");
        Assert.Contains("Psychosocial assessment, completed (version 1)", record, StringComparison.Ordinal);

        // Amending a completed assessment needs a reason, and keeps both versions.
        var noReason = await client.Post(page, "assessment", Assessment(1, "complete", account: "Added later"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        var amend = Assessment(1, "complete", account: "Added later");
        amend["amendmentReason"] = "The person added to their account the next day";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "assessment", amend)).StatusCode);
        var stored = await app.Read(db => db.Assessments.Include(a => a.Revisions).SingleAsync(a => a.PresentationId == presentationId));
        Assert.Equal([1, 2], stored.Revisions.Select(r => r.Version).Order().ToArray());
        Assert.Equal("The person added to their account the next day", stored.Revisions.Single(r => r.Version == 2).AmendmentReason);
        var compare = await client.GetStringAsync($"{page}/compare?left=1&right=2");
        Assert.Contains("I could not cope", compare, StringComparison.Ordinal);
        Assert.Contains("Added later", compare, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_assessment_with_an_empty_section_is_refused_and_nothing_is_saved()
    {
        var (client, _, presentationId) = await app.Presented();
        var fields = Assessment(0, "complete");
        fields[nameof(AssessmentSection.Formulation)] = "  ";
        var refused = await client.Post($"presentations/{presentationId}/assessment", "assessment", fields);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Formulation: write something before completing", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.Assessments.AnyAsync(a => a.PresentationId == presentationId)));
    }

    [Fact]
    public async Task A_stale_edit_is_refused_shown_beside_the_saved_version_and_nothing_is_overwritten()
    {
        var (client, _, presentationId) = await app.Presented();
        var page = $"presentations/{presentationId}/assessment";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "assessment", Assessment(0, "draft", account: "First clinician's words"))).StatusCode);

        // A second clinician opened version 0 (nothing yet) and saves after the first.
        var second = await app.ClientFor(Roles.Therapist);
        var stale = await second.Post(page, "assessment", Assessment(0, "draft", account: "Second clinician's words"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var html = await stale.Content.ReadAsStringAsync();
        Assert.Contains("Someone else saved this first", html, StringComparison.Ordinal);
        Assert.Contains("First clinician&#x27;s words", html, StringComparison.Ordinal);
        Assert.Contains("Second clinician&#x27;s words", html, StringComparison.Ordinal);
        var saved = await app.Read(db => db.Assessments.SingleAsync(a => a.PresentationId == presentationId));
        Assert.Equal(1, saved.Version);
        Assert.Equal("First clinician's words", saved.Content.Text(AssessmentSection.PersonsOwnAccount));
    }

    [Fact]
    public async Task Two_saves_racing_on_the_same_version_leave_one_version_and_tell_the_other()
    {
        var (client, personId, _) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", SafetyPlan(0, "Original"))).StatusCode);

        await using var scopeA = app.Services.CreateAsyncScope();
        await using var scopeB = app.Services.CreateAsyncScope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var dbB = scopeB.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var planA = await dbA.SafetyPlans.SingleAsync(p => p.PersonId == personId);
        var planB = await dbB.SafetyPlans.SingleAsync(p => p.PersonId == personId);
        var content = (string words) => new SafetyPlanContent(SafetyPlanSections.All.ToDictionary(s => s, s => words));
        Assert.Empty(planA.Edit(content("From A"), 1, true, "A's change", "a", AftercareApplication.Now, out _));
        Assert.Empty(planB.Edit(content("From B"), 1, true, "B's change", "b", AftercareApplication.Now, out _));

        var a = await dbA.CommitAsync<SafetyPlan, SafetyPlanContent>(planA, 1, () => Task.FromResult<SafetyPlan?>(null), default);
        var b = await dbB.CommitAsync<SafetyPlan, SafetyPlanContent>(planB, 1,
            () => dbB.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId), default);

        Assert.IsType<Saved<SafetyPlanContent>>(a);
        var stale = Assert.IsType<Stale<SafetyPlanContent>>(b);
        Assert.Equal("From A", stale.Current.Text(SafetyPlanSection.WarningSigns));
        var stored = await app.Read(db => db.SafetyPlans.Include(p => p.Revisions).SingleAsync(p => p.PersonId == personId));
        Assert.Equal((2, "From A"), (stored.Version, stored.Content.Text(SafetyPlanSection.WarningSigns)));
        Assert.Equal([1, 2], stored.Revisions.Select(r => r.Version).Order().ToArray());
    }

    [Fact]
    public async Task A_GP_share_without_consent_is_refused_with_the_reason_and_logged_but_nothing_is_shared()
    {
        var (client, personId, presentationId) = await app.Presented();
        await client.Post($"presentations/{presentationId}/assessment", "assessment", Assessment(0, "complete", shareWithGp: "No"));
        await client.Post($"people/{personId}/safety-plan", "safety-plan", SafetyPlan(0, "Not sleeping"));

        var refused = await client.Post($"people/{personId}", "share-gp", []);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("has not agreed, or has withdrawn their agreement, to their plan being shared with their GP", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.Shares.AnyAsync(s => s.PersonId == personId)));
        Assert.Contains(await app.AuditFor(personId), e => e.Action == AuditAction.ShareRefused);
    }

    [Fact]
    public async Task A_GP_share_with_consent_is_recorded_and_the_letter_shows_free_text_as_text()
    {
        var (client, personId, presentationId) = await app.Presented();
        await client.Post($"presentations/{presentationId}/assessment", "assessment", Assessment(0, "complete"));
        await client.Post($"people/{personId}/safety-plan", "safety-plan", SafetyPlan(0, "Not sleeping " + Payload));

        var shared = await client.Post($"people/{personId}", "share-gp", []);
        Assert.Equal(HttpStatusCode.Redirect, shared.StatusCode);
        var share = await app.Read(db => db.Shares.SingleAsync(s => s.PersonId == personId));
        Assert.Equal("Demo Street Surgery (fictional)", share.Recipient);
        Assert.Equal("safety plan (version 1), in a letter to the GP", share.What);
        var letter = await client.GetStringAsync($"shares/{share.Id}");
        Assert.Contains("Not sleeping &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", letter, StringComparison.Ordinal);
        Assert.DoesNotContain(Payload, letter, StringComparison.Ordinal);
        var print = await client.GetStringAsync($"people/{personId}/safety-plan/print");
        Assert.DoesNotContain(Payload, print, StringComparison.Ordinal);
        Assert.Contains(await app.AuditFor(personId), e => e.Action == AuditAction.SharedWithGp);
    }

    [Fact]
    public async Task The_GP_letter_comes_from_the_team_with_its_address_and_phone_and_is_signed_by_name_and_role_not_email()
    {
        var (client, personId, presentationId) = await app.Presented();
        await client.Post($"presentations/{presentationId}/assessment", "assessment", Assessment(0, "complete"));
        await client.Post($"people/{personId}/safety-plan", "safety-plan", SafetyPlan(0, "Not sleeping"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "share-gp", [])).StatusCode);
        var share = await app.Read(db => db.Shares.SingleAsync(s => s.PersonId == personId));

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"shares/{share.Id}"));
        var letter = page[page.IndexOf("<article class=\"letter\">", StringComparison.Ordinal)..page.IndexOf("</article>", StringComparison.Ordinal)];
        var team = Aftercare.App.Demo.DemoData.Sites[0]; // the site the person presented to
        var from = letter[letter.IndexOf("<address class=\"letter__from\">", StringComparison.Ordinal)..];
        Assert.Contains(team.Name, from[..from.IndexOf("</address>", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains(team.Address!, letter, StringComparison.Ordinal);
        Assert.Contains($"Telephone: <a href=\"{team.Tel}\">{team.Phone}</a>", letter, StringComparison.Ordinal);
        var signature = letter[letter.IndexOf("With thanks,", StringComparison.Ordinal)..];
        var clinician = await app.Read(db => db.Users.Where(u => u.Email == app.User(Roles.Clinician).Email).Select(u => u.DisplayName).SingleAsync());
        Assert.Contains(clinician, signature, StringComparison.Ordinal);
        Assert.Contains($"Clinician, {team.Name}", signature, StringComparison.Ordinal);
        Assert.DoesNotContain("@demo.aftercare.example", letter, StringComparison.Ordinal);

        // The PDF is the same component, printed by Chromium where it is installed.
        var pdf = await client.GetAsync($"shares/{share.Id}/pdf");
        Assert.True(pdf.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, pdf.StatusCode.ToString());
    }

    [Fact]
    public async Task The_persons_plan_names_their_team_with_a_number_to_tap()
    {
        var (client, personId, _) = await app.Presented();
        await client.Post($"people/{personId}/safety-plan", "safety-plan", SafetyPlan(0, "Not sleeping"));
        var team = Aftercare.App.Demo.DemoData.Sites[0];
        var print = WebUtility.HtmlDecode(await client.GetStringAsync($"people/{personId}/safety-plan/print"));
        Assert.Contains("My aftercare team", print, StringComparison.Ordinal);
        Assert.Contains(team.Name, print, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{team.Tel}\">{team.Phone}</a>", print, StringComparison.Ordinal);
        Assert.Contains(team.Hours!, print, StringComparison.Ordinal);
    }
}

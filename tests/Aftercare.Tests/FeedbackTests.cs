using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.App.Feedback;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Feedback;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>docs/domain.md rule 14: the person's experience, by private link, anonymous if they wish, counted with small numbers suppressed.</summary>
public sealed partial class FeedbackTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [GeneratedRegex("/feedback/([A-Za-z0-9_-]{40,})")]
    private static partial Regex FeedbackLink();

    [GeneratedRegex("data-count=\"[^\"]*\">([^<]*)<")]
    private static partial Regex ShownCounts();

    private static readonly Dictionary<string, string> Answers = new()
    {
        ["listenedTo"] = "Agree", ["treatedWithRespect"] = "StronglyAgree", ["involvedInDecisions"] = "Disagree", ["wait"] = "OneToFourHours",
    };

    /// <summary>A new person's presentation, assessed, in the demo clinician's team.</summary>
    private async Task<(HttpClient Clinician, Guid PersonId, Guid PresentationId)> Assessed()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var at = app.Clock.GetUtcNow().AddHours(-8);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), at, newPerson: Requests.NewPerson(Requests.NewMrn()), assessedAt: at.AddHours(2)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        return (client, personId, presentationId);
    }

    private static async Task<string> ShownLink(HttpClient clinician, Guid presentationId)
    {
        var page = $"presentations/{presentationId}/assessment";
        var created = await clinician.Post(page, "feedback-link", [new("how", "Show")]);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var token = FeedbackLink().Match(await created.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEmpty(token);
        return $"feedback/{token}";
    }

    [Fact]
    public async Task A_feedback_link_takes_one_answer_without_sign_in_and_shows_nothing_after_or_once_expired()
    {
        var (clinician, personId, presentationId) = await Assessed();
        var link = await ShownLink(clinician, presentationId);
        var person = app.AnonymousClient();

        var form = await person.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("I felt listened to", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var answered = await person.Post(link, "feedback", [.. Answers, new("comments", "Thank you for listening.")]);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("Thank you", await answered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var named = await app.Read(db => db.FeedbackResponses.Where(r => r.PersonId == personId).ToListAsync());
        Assert.Equal(Agreement.Agree, Assert.Single(named).ListenedTo);
        Assert.Equal("Thank you for listening.", named[0].Comments);
        Assert.Contains(await app.AuditFor(personId), a => a.Action == AuditAction.FeedbackGiven && a.EntityId == named[0].Id.ToString());

        // Once only: the used link is gone, and a forged one never existed.
        Assert.Equal(HttpStatusCode.Gone, (await person.GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await person.GetAsync("feedback/forged-token-that-was-never-issued-by-anyone")).StatusCode);

        // This class's own application: moving its clock on disturbs no other class.
        var unused = await ShownLink(clinician, presentationId);
        Assert.Equal(HttpStatusCode.OK, (await person.GetAsync(unused)).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(31));
        var expired = await person.GetAsync(unused);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.DoesNotContain("I felt listened to", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await app.Read(db => db.FeedbackResponses.Where(r => r.PersonId == personId).ToListAsync()));
    }

    [Fact]
    public async Task An_anonymous_answer_is_stored_without_anything_that_leads_back_to_the_person()
    {
        var (clinician, personId, presentationId) = await Assessed();
        var link = await ShownLink(clinician, presentationId);
        var before = await app.Read(db => db.FeedbackResponses.Select(r => r.Id).ToListAsync());
        var auditBefore = await app.Read(db => db.AuditEvents.MaxAsync(a => a.Sequence));

        const string words = "The nurse was kind but I waited a long time.";
        var answered = await app.AnonymousClient().Post(link, "feedback", [.. Answers, new("comments", words), new("anonymous", "true")]);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

        var response = Assert.Single(await app.Read(db => db.FeedbackResponses.Where(r => !before.Contains(r.Id)).ToListAsync()));
        Assert.True(response.Anonymous);
        Assert.Null(response.PersonId);
        Assert.Null(response.AboutId);
        Assert.Null(response.GivenAt);
        Assert.NotEqual(7, response.Id.Version);
        Assert.Equal(words, response.Comments);
        Assert.Equal(await app.SiteId(), response.SiteId);
        Assert.Equal(FeedbackAbout.Assessment, response.About);

        // The comments are encrypted at rest, not stored as written.
        var stored = await app.Read(db => db.Database.SqlQueryRaw<string?>("SELECT \"Comments\" AS \"Value\" FROM \"FeedbackResponses\"").ToListAsync());
        Assert.DoesNotContain(stored, s => s != null && s.Contains("nurse", StringComparison.Ordinal));

        // The link is spent but points at nothing; no audit event names the response, and the one for the answer names no one.
        var spent = await app.Read(db => db.FeedbackLinks.Where(l => l.PersonId == personId && l.UsedAt != null).SingleAsync());
        Assert.DoesNotContain(typeof(Domain.Feedback.FeedbackLink).GetProperties().Select(p => p.GetValue(spent)), v => v is Guid g && g == response.Id);
        var events = await app.Read(db => db.AuditEvents.Where(a => a.Sequence > auditBefore).ToListAsync());
        Assert.DoesNotContain(events, a => a.EntityId == response.Id.ToString() || a.EntityId == spent.Id.ToString());
        var given = Assert.Single(events, a => a.Action == AuditAction.FeedbackGivenAnonymously);
        Assert.Null(given.PersonId);
        Assert.Null(given.EntityId);
        Assert.DoesNotContain(events, a => a.PersonId == personId);
    }

    [Fact]
    public async Task A_feedback_link_can_be_sent_to_the_person_by_text_message_through_the_outbox()
    {
        var (clinician, personId, presentationId) = await Assessed();
        var sent = await clinician.Post($"presentations/{presentationId}/assessment", "feedback-link", [new("how", "Sms")]);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var html = await sent.Content.ReadAsStringAsync();
        Assert.Contains("queued", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(FeedbackLink(), html);

        var message = await app.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.FeedbackInvitation).SingleAsync());
        Assert.Equal(MessageChannel.Sms, message.Channel);
        Assert.Matches(FeedbackLink(), message.Body);
        Assert.True(message.Body.Length <= 320);
    }

    [Fact]
    public async Task Feedback_is_asked_for_only_after_the_assessment_has_taken_place()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), app.Clock.GetUtcNow().AddHours(-2), newPerson: Requests.NewPerson(Requests.NewMrn())));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var created = await CreateFeedbackLink.Handle(scope.ServiceProvider.GetRequiredService<App.Data.AftercareDbContext>(), app.Clock, App.Actor.System,
            FeedbackAbout.Assessment, presentationId, null, "http://127.0.0.1", TimeSpan.FromDays(30), TestContext.Current.CancellationToken);
        Assert.False(created.IsSuccess);
        Assert.Empty(await app.Read(db => db.FeedbackLinks.Where(l => l.PersonId == personId).ToListAsync()));
    }

    /// <summary>Responses at the Riverside demo site in months no other test uses: 7 in March 2025, 3 in April 2025.</summary>
    private async Task<Guid> SmallSite()
    {
        var siteId = await app.Read(db => db.Sites.Where(s => s.Code == "DEMO-R").Select(s => s.Id).SingleAsync());
        if (await app.Read(db => db.FeedbackResponses.AnyAsync(r => r.SiteId == siteId && r.Period == new DateOnly(2025, 3, 1))))
        {
            return siteId;
        }

        var march = new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var april = new DateTimeOffset(2025, 4, 10, 12, 0, 0, TimeSpan.Zero);
        var anyone = await app.Read(db => db.People.Select(p => p.Id).FirstAsync());
        FeedbackResponse Answer(DateTimeOffset when, Agreement? listened, Agreement? involved, WaitingTime wait)
        {
            var (link, _) = Domain.Feedback.FeedbackLink.Create(anyone, siteId, FeedbackAbout.Assessment, Guid.NewGuid(), TimeSpan.FromDays(30), "test", when);
            return FeedbackResponse.Give(link, new FeedbackAnswers(listened, Agreement.StronglyAgree, involved, wait, null), anonymous: true, when).Value;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<App.Data.AftercareDbContext>();
        db.FeedbackResponses.AddRange(
        [
            // Listened to: 6 agree and 1 disagree (the 1 is hidden, and so the 6, or 7 − 6 gives it back).
            // Involved: 5 agree, 2 not answered. Wait: 3 and 4, both hidden.
            .. Enumerable.Range(0, 6).Select(i => Answer(march, Agreement.Agree, i < 5 ? Agreement.Agree : null, i < 3 ? WaitingTime.UnderAnHour : WaitingTime.OneToFourHours)),
            Answer(march, Agreement.Disagree, null, WaitingTime.OneToFourHours),
            .. Enumerable.Range(0, 3).Select(_ => Answer(april, Agreement.StronglyDisagree, Agreement.Disagree, WaitingTime.MoreThanADay)),
        ]);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return siteId;
    }

    private static void AssertNothingSmallShown(Aftercare.Domain.Measures.Shown count, int threshold = 5) =>
        Assert.True(count.Suppressed || count.Value == 0 || count.Value >= threshold, $"{count.Value} is shown");

    [Fact]
    public async Task Results_never_show_a_count_below_the_threshold_nor_a_total_that_would_give_one_back()
    {
        var siteId = await SmallSite();
        var results = await app.Read(db => ExperienceResults.Handle(db, new ExperienceResults.Query(new DateOnly(2025, 3, 1), new DateOnly(2025, 4, 1), siteId, 5), TestContext.Current.CancellationToken));

        Assert.Equal(2, results.Groups.Count);
        var march = results.Groups[0];
        Assert.Equal(7, march.Responses.Value);
        foreach (var question in march.Questions)
        {
            Assert.All(question.Answers, a => AssertNothingSmallShown(a.Count));
            // The answers add up to the responses, which are shown: one hidden cell alone could be worked out.
            Assert.NotEqual(1, question.Answers.Count(a => a.Count.Suppressed));
        }

        var listened = march.Questions.Single(q => q.Key == "listenedTo").Answers;
        Assert.True(listened.Single(a => a.Label == "Disagree").Count.Suppressed);
        Assert.True(listened.Single(a => a.Label == "Agree").Count.Suppressed);
        Assert.Equal(7, march.Questions.Single(q => q.Key == "treatedWithRespect").Answers.Single(a => a.Label == "Strongly agree").Count.Value);
        Assert.Equal("fewer than 5", listened.Single(a => a.Label == "Disagree").Count.ToString());

        var april = results.Groups[1];
        Assert.True(april.Responses.Suppressed);
        Assert.Null(april.Responses.Value);
        Assert.Empty(april.Questions);

        // The page shows the same, and no small number anywhere among its counts.
        var manager = await app.ClientFor(Roles.ServiceManager);
        var page = await manager.GetAsync("measures/experience?site=DEMO-R&from=2025-03&to=2025-04");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var shown = ShownCounts().Matches(html).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.NotEmpty(shown);
        // "5 or more; not shown, …" is a count hidden to protect a small one: never a small number itself.
        Assert.All(shown, s => Assert.True(s == "fewer than 5" || s.StartsWith("5 or more", StringComparison.Ordinal) || (int.TryParse(s, out var n) && (n == 0 || n >= 5)), $"the page shows {s}"));
        Assert.Contains("fewer than 5", shown);
        Assert.DoesNotContain("The nurse", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Secondary_suppression_never_leaves_a_single_hidden_count_in_a_row()
    {
        var random = new Random(20261120);
        for (var run = 0; run < 2000; run++)
        {
            var counts = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(0, 12)).ToList();
            if (counts.Sum() < 5)
            {
                continue;
            }

            var row = Aftercare.Domain.Measures.Suppression.Breakdown(counts, 5).Parts;
            Assert.All(row, c => AssertNothingSmallShown(c));
            Assert.NotEqual(1, row.Count(c => c.Suppressed));
        }
    }

    [Fact]
    public async Task Only_service_managers_see_the_results_page()
    {
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientFor(Roles.ServiceManager)).GetAsync("measures/experience")).StatusCode);
        foreach (var role in new[] { Roles.Clinician, Roles.AftercareWorker, Roles.Administrator, Roles.PrivacyLead })
        {
            var response = await (await app.ClientFor(role)).GetAsync("measures/experience");
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{role}: {response.StatusCode}");
            Assert.Contains("denied", response.Headers.Location?.OriginalString ?? "denied", StringComparison.Ordinal);
        }

        var anonymous = await app.AnonymousClient().GetAsync("measures/experience");
        Assert.Contains("/signin", anonymous.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>docs/domain.md rule 8 and issue #6: consent recorded and withdrawn at once, safeguarding under the configured policy, every share logged.</summary>
public sealed class ConsentTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static Dictionary<string, string> Decision(ConsentTopic topic, string agreed, string? whom = null, string? what = null) => new()
    {
        ["Decision.Topic"] = topic.ToString(),
        ["Decision.Agreed"] = agreed,
        ["Decision.Whom"] = whom ?? "",
        ["Decision.WhatTheyMayKnow"] = what ?? "",
    };

    [Fact]
    public async Task Rule8_Withdrawing_consent_to_share_with_the_GP_stops_the_next_letter_at_once()
    {
        var (client, personId, presentationId) = await app.Presented();
        await client.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete", shareWithGp: "Yes"));
        await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "share-gp", [])).StatusCode);

        // The person later agrees again on the consent page, then withdraws: the next letter is refused.
        var page = $"people/{personId}/consent";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "consent", Decision(ConsentTopic.ShareWithGp, "yes"))).StatusCode);
        var decision = await app.Read(db => db.ConsentDecisions.SingleAsync(d => d.PersonId == personId));
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, $"withdraw-{decision.Id}", new Dictionary<string, string>
        {
            ["Withdrawal.DecisionId"] = decision.Id.ToString(),
            ["Withdrawal.Note"] = "Does not want the GP told for now.",
        })).StatusCode);

        var refused = await client.Post($"people/{personId}", "share-gp", []);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("withdrawn their agreement", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await app.Read(db => db.Shares.CountAsync(s => s.PersonId == personId)));
        var audit = await app.AuditFor(personId);
        Assert.Contains(audit, a => a.Action == AuditAction.ConsentRecorded);
        Assert.Contains(audit, a => a.Action == AuditAction.ConsentWithdrawn);

        // The consent page shows the withdrawal and the one letter in the sharing log.
        var html = await client.GetStringAsync(page);
        Assert.Contains("Withdrawn", html, StringComparison.Ordinal);
        Assert.Contains("Does not want the GP told for now.", html, StringComparison.Ordinal);
        Assert.Contains("in a letter to the GP", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule8_Withdrawing_consent_to_messages_cancels_what_is_waiting_and_stops_new_ones()
    {
        var (client, personId, _) = await app.Presented();
        var page = $"people/{personId}/consent";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "consent", Decision(ConsentTopic.ReceiveMessages, "yes"))).StatusCode);
        await app.Read(async db =>
        {
            var queued = await App.Messaging.SendMessageNow.Handle(db, app.Clock, App.Actor.System, personId, MessageChannel.Sms, "Thinking of you. Reply STOP to stop.", default);
            Assert.True(queued.IsSuccess, string.Join("; ", queued.Errors.Select(e => e.Message)));
            return 0;
        });
        Assert.True(await app.Read(db => db.OutboxMessages.AnyAsync(m => m.PersonId == personId && m.Status == MessageStatus.Pending)));

        var decision = await app.Read(db => db.ConsentDecisions.SingleAsync(d => d.PersonId == personId));
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, $"withdraw-{decision.Id}", new Dictionary<string, string> { ["Withdrawal.DecisionId"] = decision.Id.ToString() })).StatusCode);
        Assert.False(await app.Read(db => db.OutboxMessages.AnyAsync(m => m.PersonId == personId && m.Status == MessageStatus.Pending)));
        Assert.True(await app.Read(db => db.MessagePreferences.Where(p => p.PersonId == personId).Select(p => p.OptedOutAt != null).SingleAsync()));
    }

    [Fact]
    public async Task Rule8_Involving_family_names_whom_and_what_they_may_know_and_bad_input_changes_nothing()
    {
        var (client, personId, _) = await app.Presented();
        var page = $"people/{personId}/consent";
        var refused = await client.Post(page, "consent", Decision(ConsentTopic.InvolveFamilyOrCarers, "yes"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Name whom the person agreed to involve", html, StringComparison.Ordinal);
        Assert.Contains("Write what they may be told", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Post(page, "consent", new Dictionary<string, string>())).StatusCode);
        Assert.False(await app.Read(db => db.ConsentDecisions.AnyAsync(d => d.PersonId == personId)));

        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "consent",
            Decision(ConsentTopic.InvolveFamilyOrCarers, "yes", "Sam Example (sister)", "That I am getting help, and the safety plan. Not the details of what happened."))).StatusCode);
        var saved = await app.Read(db => db.ConsentDecisions.SingleAsync(d => d.PersonId == personId));
        Assert.Equal(("Sam Example (sister)", true), (saved.Whom, saved.InForce));
    }

    [Fact]
    public async Task Rule8_Safeguarding_follows_the_configured_policy_and_a_report_is_logged_as_shared_without_consent()
    {
        var (client, personId, _) = await app.Presented();
        var page = $"people/{personId}/consent";

        // Child protection: the policy (appsettings) makes a report mandatory.
        var refused = await client.Post(page, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = nameof(SafeguardingKind.ChildProtection),
            ["Concern.Text"] = "Synthetic: two children at home; the person said no one else is there to look after them.",
            ["Concern.NoReportReason"] = "Will discuss with the team first.",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("policy requires a report", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.SafeguardingConcerns.AnyAsync(c => c.PersonId == personId)));

        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = nameof(SafeguardingKind.ChildProtection),
            ["Concern.Text"] = "Synthetic: two children at home; the person said no one else is there to look after them.",
            ["Concern.ReportedTo"] = "Example Council children's services (fictional)",
            ["Concern.Reference"] = "CS-0001",
        })).StatusCode);
        var share = await app.Read(db => db.Shares.SingleAsync(s => s.PersonId == personId));
        Assert.True(share.IsSafeguarding);
        Assert.Equal("Example Council children's services (fictional)", share.Recipient);
        Assert.StartsWith("Safeguarding duty: shared without the person's consent, as the organisation's policy requires.", share.ConsentBasis, StringComparison.Ordinal);
        Assert.Contains(await app.AuditFor(personId), a => a.Action == AuditAction.SharedForSafeguarding && a.Purpose == AuditPurpose.Safeguarding);

        // Adult support and protection: a judgement here, so no report is allowed with a reason, and nothing is shared.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Post(page, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = nameof(SafeguardingKind.AdultSupportAndProtection),
            ["Concern.Text"] = "Synthetic: money being taken by a lodger.",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = nameof(SafeguardingKind.AdultSupportAndProtection),
            ["Concern.Text"] = "Synthetic: money being taken by a lodger.",
            ["Concern.NoReportReason"] = "The person has capacity, is dealing with it, and asked us not to report; reviewed with the team lead.",
        })).StatusCode);
        Assert.Equal(1, await app.Read(db => db.Shares.CountAsync(s => s.PersonId == personId)));
        Assert.Contains("Example Council children&#x27;s services (fictional)", await client.GetStringAsync(page), StringComparison.Ordinal);
    }
}

using Aftercare.Domain.Assessments;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Sharing;

namespace Aftercare.Domain.Tests;

/// <summary>docs/domain.md rules 4–8 as the domain model holds them.</summary>
public sealed class PlanRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly AgreedRisk Overdose = new(Guid.NewGuid(), "Urges to take an overdose when alone at night");
    private static readonly AgreedRisk Drinking = new(Guid.NewGuid(), "Drinking heavily at weekends");

    private static AssessmentContent CompleteAssessment(YesNoUnknown shareWithGp = YesNoUnknown.Yes) => new(
        Now.AddHours(-1),
        AssessmentSections.All.ToDictionary(s => s.Section, s => $"Synthetic words for {s.Title}"),
        YesNoUnknown.No,
        [Overdose, Drinking],
        new ConfidentialityAndConsent(Now.AddHours(-1), "Dr Example", YesNoUnknown.No, null, shareWithGp));

    private static CarePlanContent Plan(DateOnly? reviewBy = null, params RiskManagementEntry[] entries) => new(
        [CarePlanAim.ReduceHarmOrSelfHarm], "Back to college in September",
        [new ShortTermGoal("Sleep better", "See the GP about sleep")],
        [new Responsibility("The person", "Uses the safety plan"), new Responsibility("Aftercare worker", "Calls weekly")],
        "", entries, "Call the crisis team; Samaritans 116 123", Today, reviewBy ?? Today.AddMonths(6));

    [Fact]
    public void Rule4_Completing_an_assessment_needs_every_needs_and_risks_section_the_persons_account_and_a_formulation()
    {
        var missing = CompleteAssessment() with
        {
            Sections = AssessmentSections.All.Where(s => s.Section is not (AssessmentSection.DependentChildren or AssessmentSection.SuicidalIntent or AssessmentSection.Formulation))
                .ToDictionary(s => s.Section, s => "words"),
        };
        var fields = missing.CheckForCompletion(Now, Now.AddHours(-5)).Select(e => e.Field).ToList();
        Assert.Equal(["DependentChildren", "SuicidalIntent", "Formulation"], fields);
        Assert.Empty(CompleteAssessment().CheckForCompletion(Now, Now.AddHours(-5)));
        Assert.Equal(19, AssessmentSections.All.Count(s => s.Group is SectionGroup.Needs or SectionGroup.Risks) + 1);
    }

    [Fact]
    public void Rule4_A_draft_can_be_saved_half_written()
    {
        var draft = PsychosocialAssessment.Start(Guid.NewGuid(), Guid.NewGuid(), AssessmentContent.Empty, complete: false, "Dr Example", Now, Now.AddHours(-5));
        Assert.True(draft.IsSuccess, string.Join("; ", draft.Errors.Select(e => e.Message)));
        Assert.Equal((1, DocumentStatus.Draft), (draft.Value.Version, draft.Value.Status));
    }

    [Fact]
    public void Rule4_Every_save_is_a_new_version()
    {
        var draft = PsychosocialAssessment.Start(Guid.NewGuid(), Guid.NewGuid(), AssessmentContent.Empty, complete: false, "Dr Example", Now, Now.AddHours(-5)).Value;
        Assert.Empty(draft.Edit(CompleteAssessment(), 1, complete: true, null, "Dr Example", Now, Now.AddHours(-5), out _));
        Assert.Equal((2, DocumentStatus.Completed), (draft.Version, draft.Status));
        Assert.Contains(draft.Edit(CompleteAssessment(), 2, complete: true, null, "Dr Example", Now, Now.AddHours(-5), out _), e => e.Field == "amendmentReason");
        Assert.Empty(draft.Edit(CompleteAssessment(), 2, complete: true, "The person added to their account", "Dr Example", Now, Now.AddHours(-5), out _));
        Assert.Equal([1, 2, 3], draft.Revisions.Select(r => r.Version).ToArray());
    }

    [Fact]
    public void A_stale_edit_is_refused_and_nothing_is_overwritten()
    {
        var plan = SafetyPlan.Start(Guid.NewGuid(), SafetyPlanContent.Empty, complete: false, "worker@example.org", Now).Value;
        Assert.Empty(plan.Edit(new SafetyPlanContent(new Dictionary<SafetyPlanSection, string> { [SafetyPlanSection.WarningSigns] = "First" }), 1, false, null, "a", Now, out _));
        var errors = plan.Edit(new SafetyPlanContent(new Dictionary<SafetyPlanSection, string> { [SafetyPlanSection.WarningSigns] = "Second" }), 1, false, null, "b", Now, out var stale);
        Assert.NotNull(stale);
        Assert.Equal((1, 2, "a"), (stale.YourVersion, stale.CurrentVersion, stale.CurrentSavedBy));
        Assert.Equal("version", Assert.Single(errors).Field);
        Assert.Equal("First", plan.Content.Text(SafetyPlanSection.WarningSigns));
    }

    [Fact]
    public void Rule5_A_review_date_beyond_12_months_is_refused_with_the_reason()
    {
        var errors = Plan(Today.AddMonths(12).AddDays(1), new RiskManagementEntry(Overdose.Id, Overdose.Description, "f", "a"), new RiskManagementEntry(Drinking.Id, Drinking.Description, "f", "a"))
            .CheckForAgreement(Today, [Overdose, Drinking]);
        var error = Assert.Single(errors);
        Assert.Equal("reviewBy", error.Field);
        Assert.Contains("at least every 12 months (NICE)", error.Message, StringComparison.Ordinal);
        Assert.Empty(Plan(Today.AddMonths(12), new RiskManagementEntry(Overdose.Id, Overdose.Description, "f", "a"), new RiskManagementEntry(Drinking.Id, Drinking.Description, "f", "a"))
            .CheckForAgreement(Today, [Overdose, Drinking]));
    }

    [Fact]
    public void Rule5_Agreed_plans_due_for_review_within_30_days_are_listed()
    {
        var entries = new[] { new RiskManagementEntry(Overdose.Id, Overdose.Description, "f", "a"), new RiskManagementEntry(Drinking.Id, Drinking.Description, "f", "a") };
        var plan = CarePlan.Start(Guid.NewGuid(), Guid.NewGuid(), Plan(Today.AddDays(20), entries), agree: true, [Overdose, Drinking], "Dr Example", Now).Value;
        Assert.True(plan.ReviewDue(Today));
        Assert.False(plan.ReviewDue(Today.AddDays(-20)));
    }

    [Fact]
    public void Rule6_The_plan_points_out_agreed_risks_it_does_not_yet_address()
    {
        var partial = Plan(null, new RiskManagementEntry(Overdose.Id, Overdose.Description, "Alone at night", "Tablets kept by a friend"));
        Assert.Equal([Drinking], partial.Unaddressed([Overdose, Drinking]));
    }

    [Fact]
    public void Rule6_A_plan_is_not_agreed_until_it_addresses_every_agreed_risk_though_it_can_be_saved()
    {
        var partial = Plan(null, new RiskManagementEntry(Overdose.Id, Overdose.Description, "Alone at night", "Tablets kept by a friend"));
        Assert.Contains(partial.CheckForAgreement(Today, [Overdose, Drinking]),
            e => e.Field == "riskManagement" && e.Message.Contains(Drinking.Description, StringComparison.Ordinal));
        Assert.Contains((partial with { CrisisPlan = "" }).CheckForAgreement(Today, []), e => e.Field == "crisisPlan");
        Assert.Empty(partial.CheckForSaving(Today));
    }

    [Fact]
    public void Rule7_A_safety_plan_has_the_seven_sections_in_the_persons_voice()
    {
        Assert.Equal(7, SafetyPlanSections.All.Count);
        Assert.All(SafetyPlanSections.All, s => Assert.Matches("^(My|Things I|People|Professionals|Making my)", s.Title()));
        Assert.Equal(7, SafetyPlanContent.Empty.CheckForCompletion().Count);
    }

    [Fact]
    public void Rule7_A_private_link_keeps_only_a_hash_of_its_token()
    {
        var (link, token) = SafetyPlanLink.Create(Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromDays(90), "worker", Now);
        Assert.NotEqual(token, link.TokenHash);
        Assert.Equal(PrivateLinkToken.HashOf(token), link.TokenHash);
    }

    [Fact]
    public void Rule7_A_private_link_expires_at_the_end_of_its_lifetime()
    {
        var (link, _) = SafetyPlanLink.Create(Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromDays(90), "worker", Now);
        Assert.True(link.IsUsable(Now.AddDays(89)));
        Assert.False(link.IsUsable(Now.AddDays(90)));
    }

    [Fact]
    public void Rule7_A_revoked_private_link_no_longer_opens()
    {
        var (link, _) = SafetyPlanLink.Create(Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromDays(90), "worker", Now);
        link.Revoke(Now.AddDays(1));
        Assert.False(link.IsUsable(Now.AddDays(2)));
    }

    [Fact]
    public void Rule8_A_GP_share_without_consent_is_refused_with_the_reason()
    {
        var plan = (Guid.NewGuid(), 1);
        var refused = Share.WithGp(Guid.NewGuid(), "Demo Street Surgery", CompleteAssessment(YesNoUnknown.No).Consent, Now, plan, null, "Dr Example", Now);
        Assert.Contains("has not agreed", Assert.Single(refused.Errors).Message, StringComparison.Ordinal);
        var notAsked = Share.WithGp(Guid.NewGuid(), "Demo Street Surgery", null, null, plan, null, "Dr Example", Now);
        Assert.Equal("consent", Assert.Single(notAsked.Errors).Field);
    }

    [Fact]
    public void Rule8_A_GP_share_with_consent_records_what_with_whom_why_and_on_what_basis()
    {
        var share = Share.WithGp(Guid.NewGuid(), "Demo Street Surgery", CompleteAssessment().Consent, Now, (Guid.NewGuid(), 2), (Guid.NewGuid(), 1), "Dr Example", Now).Value;
        Assert.Equal("Demo Street Surgery", share.Recipient);
        Assert.Equal("care plan (version 2) and safety plan (version 1), in a letter to the GP", share.What);
        Assert.Contains("Continuity of care", share.Purpose, StringComparison.Ordinal);
        Assert.Contains("agreed to share", share.ConsentBasis, StringComparison.Ordinal);
    }
}

using Aftercare.Domain.Interventions;
using Aftercare.Domain.Referrals;

namespace Aftercare.Domain.Tests;

/// <summary>docs/domain.md rules 9, 10, 11 (warm handoffs) and 13.</summary>
public sealed class InterventionAndHandoffRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static TherapyDetails Therapy(int sessions, TherapyType type = TherapyType.CbtInformed, string? reason = null) =>
        new(type, sessions, reason, "Therapist Example", "Accredited CBT therapist", "Weekly with the lead psychologist", new DateOnly(2026, 12, 1));

    [Fact]
    public void Rule9_A_session_before_the_course_starts_is_refused_and_one_on_the_first_day_counts()
    {
        var course = TherapyCourse.Plan(Guid.NewGuid(), Therapy(6), SessionRange.Cg133, 30, "therapist", Now).Value;

        var early = course.RecordSessionAttended(new DateOnly(2026, 11, 30));
        Assert.False(early.IsSuccess);
        Assert.Contains("This course starts on 1 December 2026", early.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(0, course.SessionsAttended);

        Assert.True(course.RecordSessionAttended(new DateOnly(2026, 12, 1)).IsSuccess);
        Assert.Equal(1, course.SessionsAttended);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(12, true)]
    [InlineData(2, false)]
    [InlineData(16, false)]
    public void Rule9_A_course_outside_the_configured_range_asks_for_a_reason(int sessions, bool inRange)
    {
        var course = TherapyCourse.Plan(Guid.NewGuid(), Therapy(sessions), SessionRange.Cg133, 30, "therapist", Now);
        Assert.Equal(inRange, course.IsSuccess);
        if (!inRange)
        {
            Assert.Contains("outside the configured range of 3 to 12 (NICE CG133)", Assert.Single(course.Errors).Message, StringComparison.Ordinal);
            Assert.True(TherapyCourse.Plan(Guid.NewGuid(), Therapy(sessions, reason: "Agreed a longer course with the person"), SessionRange.Cg133, 30, "therapist", Now).IsSuccess);
        }
    }

    [Fact]
    public void Rule9_The_NG225_profile_is_4_to_10_sessions()
    {
        Assert.False(TherapyCourse.Plan(Guid.NewGuid(), Therapy(3), SessionRange.Ng225Adults, 30, "t", Now).IsSuccess);
    }

    [Fact]
    public void Rule9_Under_the_NG225_profile_a_course_without_the_therapists_training_or_supervision_is_refused()
    {
        var missing = TherapyCourse.Plan(Guid.NewGuid(), Therapy(6) with { TherapistTraining = null, Supervision = " " }, SessionRange.Ng225Adults, 30, "t", Now);
        Assert.Equal(["therapistTraining", "supervision"], missing.Errors.Select(e => e.Field).ToArray());
    }

    [Fact]
    public void Rule9_DBT_A_is_for_young_people()
    {
        Assert.True(TherapyCourse.Plan(Guid.NewGuid(), Therapy(12, TherapyType.DbtA), SessionRange.Cg133, 16, "t", Now).IsSuccess);
        Assert.Contains(TherapyCourse.Plan(Guid.NewGuid(), Therapy(12, TherapyType.DbtA), SessionRange.Cg133, 30, "t", Now).Errors, e => e.Field == "type");
    }

    [Fact]
    public void Rule10_A_prescription_to_reduce_self_harm_is_refused_with_the_guideline()
    {
        var refused = Medication.Record(Guid.NewGuid(), new MedicationDetails(MedicationClass.Ssri, "Sertraline", Indication.ReduceSelfHarm, null, "28 days", true), "doctor", Now);
        Assert.Equal(Medication.GuidelineReason, Assert.Single(refused.Errors).Message);
        var disguised = Medication.Record(Guid.NewGuid(), new MedicationDetails(MedicationClass.Other, "Something", Indication.OtherAssociatedCondition, "to reduce self-harm urges", "7 days", true), "doctor", Now);
        Assert.Equal("indication", Assert.Single(disguised.Errors).Field);
    }

    [Fact]
    public void Rule10_Medication_for_an_associated_condition_needs_the_toxicity_in_overdose_considered()
    {
        var unconsidered = Medication.Record(Guid.NewGuid(), new MedicationDetails(MedicationClass.Ssri, "Sertraline", Indication.Depression, null, null, false), "doctor", Now);
        Assert.Equal(Medication.ToxicityPrompt, Assert.Single(unconsidered.Errors).Message);
        Assert.True(Medication.Record(Guid.NewGuid(), new MedicationDetails(MedicationClass.Ssri, "Sertraline", Indication.Depression, null, "28 tablets", true), "doctor", Now).IsSuccess);
    }

    [Fact]
    public void Rule11_A_referral_still_unconfirmed_after_its_deadline_escalates()
    {
        var referral = TalkingTherapiesReferral();
        Assert.False(referral.IsEscalated(Now.AddDays(4)));
        Assert.True(referral.IsEscalated(Now.AddDays(6)));
    }

    [Fact]
    public void Rule11_A_referral_is_done_only_when_the_person_attends_or_declines()
    {
        var referral = TalkingTherapiesReferral();
        Assert.False(referral.IsClosed);
        Assert.True(referral.MoveTo(ReferralStatus.Accepted, null, null, HandoffDeadlines.Default, "worker", Now.AddDays(2)).IsSuccess);
        Assert.Equal("appointmentAt", Assert.Single(referral.MoveTo(ReferralStatus.AppointmentBooked, null, null, HandoffDeadlines.Default, "worker", Now.AddDays(3)).Errors).Field);
        Assert.True(referral.MoveTo(ReferralStatus.AppointmentBooked, Now.AddDays(10), null, HandoffDeadlines.Default, "worker", Now.AddDays(3)).IsSuccess);
        Assert.Equal("status", Assert.Single(referral.MoveTo(ReferralStatus.Attended, null, null, HandoffDeadlines.Default, "worker", Now.AddDays(5)).Errors).Field);
        Assert.False(referral.IsClosed);
        Assert.True(referral.MoveTo(ReferralStatus.Attended, null, "Seen; six sessions offered", HandoffDeadlines.Default, "worker", Now.AddDays(11)).IsSuccess);
        Assert.True(referral.IsClosed);
        Assert.Equal(Now.AddDays(11), referral.LoopClosedAt);
        Assert.Equal(3, referral.Steps.Count);
    }

    private static Referral TalkingTherapiesReferral()
    {
        var service = new ListedService(Guid.NewGuid(), "talking-therapies", "NHS Talking Therapies", ServiceKind.TalkingTherapies, null, null);
        return Referral.Send(Guid.NewGuid(), service, "Low mood and money worries", ServicePreference.NoPreference, HandoffDeadlines.Default, "worker", Now).Value;
    }

    [Fact]
    public void A_referral_to_a_service_not_in_the_directory_is_refused()
    {
        var refused = Referral.Send(Guid.NewGuid(), null, "Reason", ServicePreference.NoPreference, HandoffDeadlines.Default, "worker", Now);
        Assert.Contains("from the directory", Assert.Single(refused.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rule13_Non_clinical_services_count_beside_clinical_ones()
    {
        Assert.False(ServiceKind.PeerSupport.IsClinical());
        Assert.False(ServiceKind.VoluntarySector.IsClinical());
        Assert.True(ServiceKind.Camhs.IsClinical());
    }

    [Fact]
    public void Rule13_A_referral_keeps_the_persons_preference_for_a_non_clinical_service()
    {
        var peer = new ListedService(Guid.NewGuid(), "peer", "Peer support group", ServiceKind.PeerSupport, null, null);
        var referral = Referral.Send(Guid.NewGuid(), peer, "Wants to meet others who have been through it", ServicePreference.NonClinical, HandoffDeadlines.Default, "worker", Now).Value;
        Assert.Equal(ServicePreference.NonClinical, referral.Preference);
    }
}

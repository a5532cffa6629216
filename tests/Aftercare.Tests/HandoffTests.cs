using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Warm handoffs and interventions through the real pipeline. This class moves its own clock.</summary>
public sealed class HandoffTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private async Task<(HttpClient Client, Guid PersonId, Guid PresentationId)> Presented(string dob)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), app.Clock.GetUtcNow().AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), dob: dob)));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        return (client, personId, presentationId);
    }

    [Fact]
    public async Task Rule11_A_handoff_is_followed_from_sent_to_attended_and_an_unconfirmed_one_shows_on_the_worklist()
    {
        var (client, personId, _) = await Presented("1985-02-02");
        var service = await app.Read(db => db.Services.SingleAsync(s => s.Code == "peer-support"));
        var sent = await client.Post($"people/{personId}", "refer", new Dictionary<string, string>
        {
            ["serviceId"] = service.Id.ToString(), ["preference"] = "NonClinical", ["reason"] = "Would like to meet others who have been through it",
        });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var referral = await app.Read(db => db.Referrals.SingleAsync(r => r.PersonId == personId));
        Assert.Equal((ReferralStatus.Sent, ServicePreference.NonClinical), (referral.Status, referral.Preference));

        // Nobody confirms it: six days on it is escalated onto the worklist.
        app.Clock.Advance(TimeSpan.FromDays(6));
        var worker = await app.ClientFor(Roles.AftercareWorker);
        var worklist = await worker.GetStringAsync("worklist");
        Assert.Contains($"/referrals/{referral.Id}", worklist[worklist.IndexOf("Unconfirmed handoffs", StringComparison.Ordinal)..], StringComparison.Ordinal);

        async Task Move(string status, string? appointment = null)
        {
            var version = await app.Read(db => db.Referrals.Where(r => r.Id == referral.Id).Select(r => r.Version).SingleAsync());
            var fields = new Dictionary<string, string> { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture), ["status"] = status };
            if (appointment is not null)
            {
                fields["appointmentAt"] = appointment;
            }

            Assert.Equal(HttpStatusCode.Redirect, (await worker.Post($"referrals/{referral.Id}", "move", fields)).StatusCode);
        }

        await Move("Accepted");
        await Move("AppointmentBooked", London.Local(app.Clock.GetUtcNow().AddDays(2)));
        app.Clock.Advance(TimeSpan.FromDays(3));
        worker = await app.ClientFor(Roles.AftercareWorker); // a new day, a new sign-in
        await Move("Attended");

        var closed = await app.Read(db => db.Referrals.SingleAsync(r => r.Id == referral.Id));
        Assert.Equal(ReferralStatus.Attended, closed.Status);
        Assert.NotNull(closed.LoopClosedAt);
        Assert.DoesNotContain($"/referrals/{referral.Id}", await worker.GetStringAsync("worklist"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_young_persons_pathway_makes_its_default_referral_to_CAMHS_with_the_enrolment()
    {
        var (client, personId, presentationId) = await Presented("2010-06-01");
        var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(app.Clock.GetUtcNow().AddHours(-1)),
            ["pathwayId"] = "young-people",
            ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        var services = await app.Read(db => db.Referrals.Where(r => r.PersonId == personId).Join(db.Services, r => r.ServiceId, s => s.Id, (r, s) => s.Code).ToListAsync());
        Assert.Equal(["camhs"], services);
    }

    [Fact]
    public async Task Rule10_Medication_to_reduce_self_harm_is_refused_through_the_form_and_the_refusal_is_audited()
    {
        var (client, personId, _) = await Presented("1979-09-09");
        var refused = await client.Post($"people/{personId}", "medication", new Dictionary<string, string>
        {
            ["name"] = "Sertraline", ["class"] = "Ssri", ["indication"] = "ReduceSelfHarm", ["quantitySupplied"] = "28 days", ["toxicityConsidered"] = "true",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("do not offer drug treatment as a specific intervention to reduce self-harm", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.Medications.AnyAsync(m => m.PersonId == personId)));
        Assert.Contains(await app.AuditFor(personId), e => e.Action == AuditAction.MedicationRefused);

        var recorded = await client.Post($"people/{personId}", "medication", new Dictionary<string, string>
        {
            ["name"] = "Sertraline", ["class"] = "Ssri", ["indication"] = "Depression", ["quantitySupplied"] = "28 days", ["toxicityConsidered"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        Assert.Equal(Indication.Depression, await app.Read(db => db.Medications.Where(m => m.PersonId == personId).Select(m => m.Indication).SingleAsync()));
    }

    [Fact]
    public async Task Rule9_A_therapy_course_outside_the_range_is_refused_until_a_reason_is_given()
    {
        var (client, personId, _) = await Presented("1988-03-03");
        var fields = new Dictionary<string, string>
        {
            ["type"] = "ProblemSolving", ["plannedSessions"] = "20", ["startsOn"] = "2026-12-01",
            ["therapist"] = "Therapist Example", ["therapistTraining"] = "Problem-solving therapy course", ["supervision"] = "Fortnightly, lead psychologist",
        };
        var refused = await client.Post($"people/{personId}", "therapy", fields);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("outside the configured range of 3 to 12", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        fields["reasonOutsideRange"] = "Agreed with the person and supervisor: complex needs";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "therapy", fields)).StatusCode);
        Assert.Equal(20, await app.Read(db => db.TherapyCourses.Where(c => c.PersonId == personId).Select(c => c.PlannedSessions).SingleAsync()));
    }
}

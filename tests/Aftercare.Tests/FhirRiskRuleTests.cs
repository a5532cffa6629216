// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using static Aftercare.Tests.FhirTests;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// docs/domain.md rule 1 at the FHIR door (issue 13): a risk tier as a label is refused, the person's own words are
/// not. A safety plan may say "high risk" because the person said it; a code or a label that is only a tier may not.
/// </summary>
public sealed class FhirRiskRuleTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task Rule1_A_safety_plan_in_the_persons_own_words_that_mentions_high_risk_is_accepted()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var personId = await app.Read(db => db.People.Where(p => !db.SafetyPlans.Any(s => s.PersonId == p.Id)).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        const string words = "When I feel I am at high risk I ring my sister";

        var created = await client.PostAsync("fhir/CarePlan", Json(SafetyPlanResource(personId, words)));

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var plan = Assert.IsType<CarePlan>(FhirJson.Parse(await created.Content.ReadAsStringAsync()).Value);
        Assert.StartsWith(words, plan.Activity[0].Detail.Description, StringComparison.Ordinal);
        Assert.Equal(1, await app.Read(db => db.SafetyPlans.CountAsync(s => s.PersonId == personId)));
    }

    [Theory]
    [InlineData("coding", "Moderate risk")]
    [InlineData("coding", "high-risk")]
    [InlineData("text", "HIGH_RISK")]
    [InlineData("text", "Risk: high")]
    [InlineData("text", "Low risk.")]
    public async Task Rule1_A_risk_tier_as_a_label_is_refused_with_the_reason_and_nothing_is_saved(string where, string label)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var people = await app.Read(db => db.People.CountAsync());
        var bundle = IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-1));
        var condition = bundle.Entry.Select(e => e.Resource).OfType<Condition>().Single();
        if (where == "coding")
        {
            condition.Category.Add(new CodeableConcept { Coding = [new Coding("urn:example:tiers", "t1", label)] });
        }
        else
        {
            condition.Category.Add(new CodeableConcept { Text = label });
        }

        var refused = await client.PostAsync("fhir", Json(bundle));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var outcome = Assert.IsType<OperationOutcome>(FhirJson.Parse(await refused.Content.ReadAsStringAsync()).Value);
        Assert.Contains("does not store risk scores", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(people, await app.Read(db => db.People.CountAsync()));
    }

    [Fact]
    public async Task Rule1_A_RiskAssessment_is_refused_whatever_it_says()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var risk = new RiskAssessment { Status = ObservationStatus.Final, Subject = new ResourceReference("Patient/x"), Note = [new Annotation { Text = "Talked about the week" }] };

        var refused = await client.PostAsync("fhir/RiskAssessment", Json(risk));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
    }
}

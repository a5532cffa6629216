using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 12.4 in the use cases: each error an App use case or a domain rule returns says its kind (not found,
/// stale, refused, forbidden, invalid), so the edge answers it the same way everywhere.
/// </summary>
public sealed class ErrorKindTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task A_handoff_moved_from_an_old_version_answers_409_as_a_stale_contact_does()
    {
        var (client, personId, presentationId) = await app.Presented();

        // A try recorded twice from the same version (not reached, so the contact stays due): the second is stale.
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-2)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference",
        });
        var contact = await app.Read(db => db.Contacts.Where(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact).Select(c => c.Id).SingleAsync());
        var attempt = new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = London.Local(AftercareApplication.Now.AddMinutes(-30)), ["channel"] = "Phone", ["outcome"] = "NotReached",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"contacts/{contact}", "contact", attempt)).StatusCode);
        var staleContact = await client.Post($"contacts/{contact}", "contact", attempt);

        // A handoff moved twice from the same version: the second is stale too, and answers the same.
        var service = await app.Read(db => db.Services.Select(s => s.Id).FirstAsync());
        var enrolmentReferrals = await app.Read(db => db.Referrals.Where(r => r.PersonId == personId).Select(r => r.Id).ToListAsync());
        await client.Post($"people/{personId}", "refer", new Dictionary<string, string>
        {
            ["serviceId"] = service.ToString(), ["preference"] = "NonClinical", ["reason"] = "Would like to meet others who have been through it",
        });
        var referral = await app.Read(db => db.Referrals.Where(r => r.PersonId == personId && !enrolmentReferrals.Contains(r.Id)).Select(r => r.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"referrals/{referral}", "move", new Dictionary<string, string> { ["version"] = "0", ["status"] = "Accepted" })).StatusCode);
        var staleHandoff = await client.Post($"referrals/{referral}", "move", new Dictionary<string, string> { ["version"] = "0", ["status"] = "Declined" });

        Assert.Equal(HttpStatusCode.Conflict, staleContact.StatusCode);
        Assert.Equal(staleContact.StatusCode, staleHandoff.StatusCode);
        Assert.Contains("Someone updated this handoff while you had it open", await staleHandoff.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_presentation_for_a_person_not_on_record_answers_404_and_registers_nothing()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var before = await app.Read(db => db.Presentations.CountAsync());

        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), personId: Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("That person was not found", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Read(db => db.Presentations.CountAsync()));
    }
}

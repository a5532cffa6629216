using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>People made through the real pipeline, as a clinician would: registered, and enrolled in aftercare.</summary>
public static class TestPeople
{
    /// <summary>A new person who presented eight hours ago at the first site, registered by a clinician (whose client is returned).</summary>
    public static async Task<(HttpClient Clinician, Guid PersonId, Guid PresentationId)> Presented(this AftercareApplication app)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn())));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        return (client, personId, presentationId);
    }

    /// <summary>A new person enrolled on the first-contact pathway, discharged two hours ago: their first contact is due.</summary>
    public static async Task<(Guid PersonId, Guid ContactId)> FirstContactDue(this AftercareApplication app)
    {
        var (client, personId, presentationId) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-2)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference",
        })).StatusCode);
        var contactId = await app.Read(db => db.Contacts.Where(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact).Select(c => c.Id).SingleAsync());
        return (personId, contactId);
    }
}

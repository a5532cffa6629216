using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Messaging;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Tests;

/// <summary>
/// Issue #11: links in messages pointed at port 5000 whatever --urls said; and without an SMTP
/// server, messages failed try after try while the record read "1 failed tries".
/// </summary>
public sealed class MessageLinksTests
{
    private static async Task<Guid> PersonWithEmail(AftercareApplication app, HttpClient client, string email)
    {
        var person = new
        {
            givenName = "Rowan", familyName = "Example", dateOfBirth = "1988-04-04", sex = "Female", phone = (string?)null, email,
            preferredChannel = "Email", gpPractice = "Demo Street Surgery (fictional)", priorPsychiatricHistory = "No", mrn = Requests.NewMrn(), nhsNumber = (string?)null,
        };
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), app.Clock.GetUtcNow().AddHours(-6), newPerson: person));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
    }

    [Fact]
    public async Task With_no_base_address_set_the_links_in_messages_point_where_the_server_listens()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = new AftercareApplication(new Dictionary<string, string?>
        {
            ["Aftercare:Messaging:Smtp:Host"] = "127.0.0.1",
            ["Aftercare:Messaging:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await app.InitializeAsync();
        var client = await app.ClientFor(Roles.Clinician);
        var email = $"rowan-{Guid.NewGuid():N}@example.org";
        var personId = await PersonWithEmail(app, client, email);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "message", new Dictionary<string, string> { ["channel"] = "Email", ["body"] = "Thinking of you" })).StatusCode);

        await ActivatorUtilities.CreateInstance<OutboxWorker>(app.Services).RunOnceAsync(default);

        var sent = Assert.Single(smtp.Received(), m => m.To.Mailboxes.Any(a => a.Address == email));
        // The test server listens on a port of its own (--urls http://127.0.0.1:0), never 5000.
        Assert.Contains($"{app.BaseAddress}opt-out/", sent.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(":5000", sent.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_email_server_a_message_waits_untried_and_the_record_says_why()
    {
        await using var app = new AftercareApplication();
        await app.InitializeAsync();
        var client = await app.ClientFor(Roles.Clinician);
        var personId = await PersonWithEmail(app, client, $"ellis-{Guid.NewGuid():N}@example.org");
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "message", new Dictionary<string, string> { ["channel"] = "Email", ["body"] = "Thinking of you" })).StatusCode);

        for (var run = 0; run < 6; run++)
        {
            await ActivatorUtilities.CreateInstance<OutboxWorker>(app.Services).RunOnceAsync(default);
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var message = await app.Read(db => db.OutboxMessages.SingleAsync(m => m.PersonId == personId));
        Assert.Equal((MessageStatus.Pending, 0), (message.Status, message.Attempts));
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"people/{personId}"));
        Assert.Contains("Waiting: no email server is set up yet (Aftercare:Messaging:Smtp), so nothing leaves by email", page, StringComparison.Ordinal);
        Assert.DoesNotContain("failed tries", page, StringComparison.Ordinal);
    }
}

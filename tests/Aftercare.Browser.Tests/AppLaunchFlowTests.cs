using System.Security.Cryptography;
using System.Text;
using Aftercare.Domain.Users;
using Aftercare.Smart;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;

namespace Aftercare.Browser.Tests;

/// <summary>SMART App Launch as a clinician sees it: the app sends them here, they choose the person and allow it.</summary>
public sealed class AppLaunchFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task A_SMART_app_launch_in_Chromium_finds_the_person_with_the_picker_and_the_app_reads_their_record()
    {
        const string callback = "http://127.0.0.1:9/callback";
        await using (var scope = session.App.Services.CreateAsyncScope())
        {
            var registered = await RegisterClient.HandleApp(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(),
                "companion-browser", "Safety Plan Companion (demo app)", [callback], ["launch/patient", "patient/*.read"]);
            Assert.True(registered.IsSuccess);
        }

        var page = await session.NewPage();
        string? received = null;
        await page.RouteAsync(callback + "**", async route =>
        {
            received = route.Request.Url;
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!doctype html><title>Demo app</title><p>The app has its code.</p>" });
        });
        var clinician = session.App.User(Roles.Clinician);
        // A demo person in the clinician's care, found as the clinician would: by name and date of birth.
        Aftercare.Domain.People.Person person;
        await using (var scope = session.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Aftercare.App.Data.AftercareDbContext>();
            person = await db.People.AsNoTracking().Where(p => p.Identifiers.Any(i => i.Value == "DEMO0003")).SingleAsync();
        }

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var fhirBase = new Uri(session.App.BaseAddress, "fhir").ToString();
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = "companion-browser", ["redirect_uri"] = callback, ["scope"] = "launch/patient patient/*.read",
            ["state"] = "demo-state", ["aud"] = fhirBase,
            ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), ["code_challenge_method"] = "S256",
        });

        // The app sends the clinician here; they sign in first and come straight back.
        await page.GotoAsync(authorize);
        await session.SignIn(page, clinician);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Safety Plan Companion (demo app)");

        // Allowing before choosing anyone grants nothing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();
        Assert.Null(received);

        // The patient picker: name and date of birth, among the people in this clinician's care.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(person.FamilyName);
        await page.GetByLabel("Date of birth").FillAsync(person.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        var choice = page.GetByRole(AriaRole.Radio, new() { Name = person.GivenName + " " + person.FamilyName });
        await Assertions.Expect(choice.First).ToBeVisibleAsync();
        Assert.DoesNotContain(person.FamilyName, page.Url, StringComparison.OrdinalIgnoreCase);
        await BrowserSession.AssertAccessible(page);
        await choice.First.CheckAsync();
        await BrowserSession.Screenshot(page, "smart-patient-picker");
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("The app has its code.")).ToBeVisibleAsync();
        Assert.NotNull(received);
        var query = QueryHelpers.ParseQuery(new Uri(received).Query);
        Assert.Equal("demo-state", query["state"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code"].ToString()));

        // The app exchanges its code (PKCE S256) and reads the Patient it was given, as a SMART app does.
        using var app = new HttpClient { BaseAddress = session.App.BaseAddress };
        var token = await app.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = query["code"].ToString(), ["redirect_uri"] = callback,
            ["client_id"] = "companion-browser", ["code_verifier"] = verifier,
        }));
        using var answer = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        Assert.True(token.IsSuccessStatusCode, answer.RootElement.ToString());
        Assert.Equal(person.Id.ToString(), answer.RootElement.GetProperty("patient").GetString());
        app.DefaultRequestHeaders.Authorization = new("Bearer", answer.RootElement.GetProperty("access_token").GetString());
        var read = await app.GetAsync($"fhir/Patient/{person.Id}");
        Assert.Equal(System.Net.HttpStatusCode.OK, read.StatusCode);
        Assert.False(string.IsNullOrEmpty(query["code"].ToString()));
    }
}

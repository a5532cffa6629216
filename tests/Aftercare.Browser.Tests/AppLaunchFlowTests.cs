using System.Security.Cryptography;
using System.Text;
using Aftercare.Domain.Users;
using Aftercare.Smart;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;

namespace Aftercare.Browser.Tests;

/// <summary>SMART App Launch as a clinician sees it: the app sends them here, they choose the person and allow it.</summary>
public sealed class AppLaunchFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task A_clinician_allows_an_app_to_open_one_demo_persons_record()
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
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = "companion-browser", ["redirect_uri"] = callback, ["scope"] = "launch/patient patient/*.read",
            ["state"] = "demo-state", ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), ["code_challenge_method"] = "S256",
        });

        // The app sends the clinician here; they sign in first and come straight back.
        await page.GotoAsync(authorize);
        await session.SignIn(page, clinician);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Safety Plan Companion (demo app)");
        await Assertions.Expect(page.GetByText("read that person's record")).ToBeVisibleAsync();

        // A number no one holds is named as the problem, and nothing is granted.
        await page.GetByLabel("Whose record? MRN or NHS number").FillAsync("DEMO9999");
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No one holds that MRN or NHS number");
        Assert.DoesNotContain("DEMO9999", page.Url, StringComparison.OrdinalIgnoreCase);
        await BrowserSession.AssertAccessible(page);

        await page.GetByLabel("Whose record? MRN or NHS number").FillAsync("DEMO0003");
        await BrowserSession.Screenshot(page, "app-launch-consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("The app has its code.")).ToBeVisibleAsync();
        Assert.NotNull(received);
        var query = QueryHelpers.ParseQuery(new Uri(received).Query);
        Assert.Equal("demo-state", query["state"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code"].ToString()));
    }
}

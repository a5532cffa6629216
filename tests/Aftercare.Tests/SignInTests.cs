using System.Net;
using System.Net.Http.Json;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

public sealed class SignInTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task A_wrong_password_or_unknown_email_says_only_that_sign_in_failed()
    {
        var client = app.AnonymousClient();
        var wrong = await client.PostAsJsonAsync("api/session", new { email = app.User(Roles.Therapist).Email, password = "not-the-password" });
        var unknown = await client.PostAsJsonAsync("api/session", new { email = "nobody@demo.aftercare.example", password = "whatever-it-is" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var said = await wrong.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var saidToStranger = await unknown.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(said.GetProperty("detail").GetString(), saidToStranger.GetProperty("detail").GetString());
        Assert.StartsWith("Sign-in failed.", said.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_for_a_while()
    {
        var user = app.User(Roles.AftercareWorker);
        var client = app.AnonymousClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PostAsJsonAsync("api/session", new { user.Email, password = $"wrong-{i}" });
        }

        var locked = await client.PostAsJsonAsync("api/session", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_names_the_problem_without_saying_which_part_was_wrong()
    {
        var client = app.AnonymousClient();
        var page = await client.GetStringAsync("signin");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Form.Email"] = app.User(Roles.ServiceManager).Email,
            ["Form.Password"] = "wrong password",
        }));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Sign-in failed", html, StringComparison.Ordinal);
        Assert.Contains("There is a problem", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_email_or_password_is_asked_for_whether_or_not_the_email_exists()
    {
        var client = app.AnonymousClient();
        foreach (var email in new[] { app.User(Roles.Therapist).Email, "nobody@demo.aftercare.example" })
        {
            var empty = await TrySignIn(client, email, "");
            Assert.Contains(Aftercare.Account.SignInUser.EnterPassword, empty, StringComparison.Ordinal);
            Assert.DoesNotContain("Sign-in failed", empty, StringComparison.Ordinal);
            Assert.Contains("aria-invalid=\"true\" aria-describedby=\"password-error\"", empty, StringComparison.Ordinal);
        }

        Assert.Contains(Aftercare.Account.SignInUser.EnterEmail, await TrySignIn(client, "", "something"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_says_sign_in_failed_whether_or_not_the_email_exists()
    {
        var client = app.AnonymousClient();
        foreach (var email in new[] { app.User(Roles.Therapist).Email, "nobody@demo.aftercare.example" })
        {
            var wrong = await TrySignIn(client, email, "not the password at all");
            Assert.Contains("Sign-in failed", wrong, StringComparison.Ordinal);
            Assert.DoesNotContain(Aftercare.Account.SignInUser.EnterPassword, wrong, StringComparison.Ordinal);
        }
    }

    /// <summary>The sign-in page's answer to this email and password.</summary>
    private static async Task<string> TrySignIn(HttpClient client, string email, string password) =>
        await (await client.Post("signin", "signin", new Dictionary<string, string> { ["Form.Email"] = email, ["Form.Password"] = password })).Content.ReadAsStringAsync();
}

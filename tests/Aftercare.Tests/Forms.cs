using System.Text.RegularExpressions;

namespace Aftercare.Tests;

/// <summary>Posts a page's form as a browser would: with the page's antiforgery token and the form's name.</summary>
public static partial class Forms
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    public static async Task<HttpResponseMessage> Post(this HttpClient client, string page, string formName, IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(client);
        var html = await client.GetStringAsync(page);
        var token = Token().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), $"{page} has no form token");
        var body = new List<KeyValuePair<string, string>> { new("_handler", formName), new("__RequestVerificationToken", token) };
        body.AddRange(fields);
        return await client.PostAsync(page, new FormUrlEncodedContent(body));
    }
}

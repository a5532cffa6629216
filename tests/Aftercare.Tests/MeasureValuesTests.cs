using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 11: the values the dashboard reports, for a cohort built by hand through the real pipeline
/// (register, assess, enrol, reach) in a month the demo data never touches (December 2023; the demo's two years start in November 2024), with
/// every measure's answer worked out by hand below, checked on the page and in the CSV.
/// </summary>
public sealed class MeasureValuesTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static readonly DateTimeOffset December = new(2023, 12, 1, 10, 0, 0, TimeSpan.Zero);

    // Parts of the age-band breakdown: Under 18, 18 to 24, 25 to 44, 45 to 64, 65 and over; then All.
    //
    // Group X, 25 to 44 (born 1995): 6 people, one presentation each on 1 December, each assessed
    //   2 hours after arrival. X1..X5 enrolled on "first-contact" (discharged 6 h after arrival, which
    //   sends each a talking-therapies referral) and reached 24 h after discharge. X6 is not enrolled.
    // Group Y, 45 to 64 (born 1975): 10 people, 11 presentations on 2 December; Y1 comes back on
    //   10 December. Y1..Y3's first presentations assessed 1 hour after arrival; no one else. No one enrolled.
    //
    //                                     X (25-44)   Y (45-64)   All
    // Presentations                         6           11          17
    // People                                6           10          16
    // Came back for help                    0 of 6      1 of 11     1 of 17   (Y1's second visit; 1 is small)
    // Psychosocial assessment               6 of 6      3 of 11     9 of 17   (3 is small, so 6 is hidden to protect it: "5 or more")
    // Assessed within 4 hours               6 of 6      3 of 11     9 of 17   (the same)
    // Safety plan given the same day        0 of 6      0 of 11     0 of 17
    // First contact within 48 hours         5 of 5      0 of 0      5 of 5
    // In contact by 7 / 30 days             5 of 5      0 of 0      5 of 5
    // Referrals with a known outcome        0 of 0      0 of 0      0 of 0    (enrolment sends each a referral, but today, not in December 2023)
    // Came back within 12 months            0 of 6      1 of 10     1 of 16   (Y1)
    // Died within 12 months / by suicide    0 of 6      0 of 10     0 of 16
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["Presentations"] = ["0", "0", "6", "11", "0", "17"],
        ["People"] = ["0", "0", "6", "10", "0", "16"],
        ["Came back for help"] = ["0 of 0", "0 of 0", "0 of 6 (0%)", "fewer than 5 of 11", "0 of 0", "fewer than 5 of 17"],
        ["Psychosocial assessment"] = ["0 of 0", "0 of 0", "5 or more of 6", "fewer than 5 of 11", "0 of 0", "9 of 17 (53%)"],
        ["Assessed within 4 hours of arrival"] = ["0 of 0", "0 of 0", "5 or more of 6", "fewer than 5 of 11", "0 of 0", "9 of 17 (53%)"],
        ["Safety plan given the same day"] = ["0 of 0", "0 of 0", "0 of 6 (0%)", "0 of 11 (0%)", "0 of 0", "0 of 17 (0%)"],
        ["First aftercare contact within 48 hours"] = ["0 of 0", "0 of 0", "5 of 5 (100%)", "0 of 0", "0 of 0", "5 of 5 (100%)"],
        ["In contact by 7 days"] = ["0 of 0", "0 of 0", "5 of 5 (100%)", "0 of 0", "0 of 0", "5 of 5 (100%)"],
        ["In contact by 30 days"] = ["0 of 0", "0 of 0", "5 of 5 (100%)", "0 of 0", "0 of 0", "5 of 5 (100%)"],
        ["Referrals with a known outcome"] = ["0 of 0", "0 of 0", "0 of 0", "0 of 0", "0 of 0", "0 of 0"],
        ["Came back within 12 months"] = ["0 of 0", "0 of 0", "0 of 6 (0%)", "fewer than 5 of 10", "0 of 0", "fewer than 5 of 16"],
        ["Died within 12 months (any cause)"] = ["0 of 0", "0 of 0", "0 of 6 (0%)", "0 of 10 (0%)", "0 of 0", "0 of 16 (0%)"],
        ["Died by suicide within 12 months"] = ["0 of 0", "0 of 0", "0 of 6 (0%)", "0 of 10 (0%)", "0 of 0", "0 of 16 (0%)"],
    };

    private const string Query = "from=2023-12&to=2023-12&by=AgeBand";

    // xUnit makes a new instance per test; the fixture (and its database) is shared, so the cohort is built once.
    private async Task Build()
    {
        var end = December.AddDays(31);
        if (await app.Read(db => db.Presentations.AnyAsync(p => p.ArrivedAt >= December && p.ArrivedAt < end)))
        {
            return;
        }

        var clinician = await app.ClientFor(Roles.Clinician);
        var site = await app.SiteId();
        async Task<(Guid Person, Guid Presentation)> Present(DateTimeOffset at, string dob, DateTimeOffset? assessed, Guid? person = null)
        {
            var response = await clinician.PostAsJsonAsync("api/presentations", Requests.Presentation(site, at, personId: person,
                newPerson: person is null ? Requests.NewPerson(Requests.NewMrn(), dob: dob) : null, assessedAt: assessed));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var personId = body.GetProperty("personId").GetGuid();
            var presentation = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId && p.ArrivedAt == at).Select(p => p.Id).SingleAsync());
            return (personId, presentation);
        }

        for (var i = 0; i < 6; i++)
        {
            var at = December.AddHours(i);
            var (person, presentation) = await Present(at, "1995-06-01", at.AddHours(2));
            if (i == 5)
            {
                continue;
            }

            var discharged = at.AddHours(6);
            var enrolled = await clinician.Post($"presentations/{presentation}/aftercare", "enrol", new Dictionary<string, string>
            {
                ["dischargedAt"] = discharged.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture), // December: London is on UTC
                ["pathwayId"] = "first-contact",
                ["preference"] = "NoPreference",
            });
            Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
            var contact = await app.Read(db => db.Contacts.SingleAsync(c => c.PersonId == person && c.Kind == ContactKind.FirstContact));
            var reached = await clinician.Post($"contacts/{contact.Id}", "contact", new Dictionary<string, string>
            {
                ["version"] = contact.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["at"] = discharged.AddHours(24).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
                ["channel"] = "Phone", ["outcome"] = "Reached", ["howTheyAreFeeling"] = "Steadier",
            });
            Assert.Equal(HttpStatusCode.Redirect, reached.StatusCode);
        }

        for (var i = 0; i < 10; i++)
        {
            var at = December.AddDays(1).AddHours(i);
            var (person, _) = await Present(at, "1975-06-01", i < 3 ? at.AddHours(1) : null);
            if (i == 0)
            {
                await Present(December.AddDays(9), "1975-06-01", null, person);
            }
        }
    }

    // RFC 4180: quoted fields may hold commas and doubled quotes.
    private static string[] Fields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted && line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(line[i]);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    private static string Text(string html) =>
        Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, "<span class=\"visually-hidden\">.*?</span>", ""), "<[^>]+>", "")), @"\s+", " ").Replace("*", "", StringComparison.Ordinal).Trim();

    [Fact]
    public async Task The_dashboard_reports_the_hand_worked_value_of_every_measure_and_a_protected_group_reads_5_or_more()
    {
        await Build();
        var manager = await app.ClientFor(Roles.ServiceManager);
        var html = await manager.GetStringAsync($"measures?{Query}");
        foreach (var (measure, cells) in Expected)
        {
            var row = Regex.Match(html, $"<tr>\\s*<th scope=\"row\">{Regex.Escape(measure)}<br.*?</tr>", RegexOptions.Singleline);
            Assert.True(row.Success, measure);
            var shown = Regex.Matches(row.Value, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(m => Text(m.Groups[1].Value)).ToArray();
            Assert.Equal(cells, shown);
        }

        // The protected cell says why, to a screen reader too, and the table's legend explains both labels.
        Assert.Contains("5 or more<span aria-hidden=\"true\">*</span><span class=\"visually-hidden\"> (not shown, so that a small number cannot be worked out from it)</span>", html, StringComparison.Ordinal);
        Assert.Contains("not a small number: not shown, so that a small number elsewhere in the table cannot be worked out from it", html, StringComparison.Ordinal);
        Assert.Contains("25 to 44: 5 or more, not shown, so that a small number cannot be worked out from it", html, StringComparison.Ordinal); // the chart's accessible name
    }

    [Fact]
    public async Task The_CSV_reports_the_same_values_and_marks_a_protected_group_as_5_or_more_not_as_small()
    {
        await Build();
        var manager = await app.ClientFor(Roles.ServiceManager);
        var csv = await manager.GetStringAsync($"measures.csv?{Query}");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("group,measure,\"ageband\",numerator,denominator,percent,note", lines[0]);
        string[] Row(string measure, string part) => lines.Skip(1).Select(Fields).Single(f => f[1] == measure && f[2] == part);

        var parts = new[] { "Under 18", "18 to 24", "25 to 44", "45 to 64", "65 and over", "All" };
        foreach (var (measure, cells) in Expected)
        {
            for (var i = 0; i < parts.Length; i++)
            {
                var f = Row(measure, parts[i]);
                var expected = cells[i].Replace("fewer than 5", "<5", StringComparison.Ordinal).Replace("5 or more", ">=5", StringComparison.Ordinal);
                var numerator = expected.Split(' ')[0];
                Assert.Equal(numerator, f[3]);
            }
        }

        var protectedRow = Row("Psychosocial assessment", "25 to 44");
        Assert.Equal([">=5", "6", ""], protectedRow[3..6]);
        Assert.Contains("5 or more, not shown, so that a small number cannot be worked out from it", protectedRow[6], StringComparison.Ordinal);
        var smallRow = Row("Psychosocial assessment", "45 to 64");
        Assert.Equal(["<5", "11", ""], smallRow[3..6]);
        Assert.Contains("fewer than 5, between 1 and 4", smallRow[6], StringComparison.Ordinal);
        Assert.Equal(["9", "17", "52.9", ""], Row("Psychosocial assessment", "All")[3..7]);
    }
}

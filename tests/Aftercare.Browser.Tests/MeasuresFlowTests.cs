using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Browser.Tests;

/// <summary>Issue #7 as a service manager uses it: the dashboard, a filter by age band, the CSV.</summary>
public sealed class MeasuresFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task A_service_manager_opens_the_dashboard_filters_by_age_band_and_downloads_the_CSV()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.ServiceManager));
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Service measures" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Service measures", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Repetition, engagement and mortality" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "measures");

        await page.GetByLabel("Age band").SelectOptionAsync(new SelectOptionValue { Label = "25 to 44" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("age=25"));
        await Assertions.Expect(page.GetByLabel("Age band")).ToHaveValueAsync("25 to 44");
        await BrowserSession.AssertAccessible(page);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("group,measure,", csv, StringComparison.Ordinal);
        Assert.Contains("Came back within 12 months", csv, StringComparison.Ordinal);

        // The programme evaluation, from the dashboard.
        await page.GetByRole(AriaRole.Link, new() { Name = "the programme evaluation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aftercare programme evaluation", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "evaluation");
    }

    /// <summary>
    /// Issue 11: the dashboard's numbers are the seeded truth, a hidden count says why (never
    /// "fewer than 5" for a group of 5 or more), and the evaluation page sits in the site's layout
    /// with the same small-number rule.
    /// </summary>
    [Fact]
    public async Task A_service_manager_reads_the_true_numbers_and_the_evaluation_in_the_site_layout_with_no_small_number_shown()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.ServiceManager));
        await page.GotoAsync("/measures?from=2026-01&to=2026-12&by=Site");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Service measures", Level = 1 })).ToBeVisibleAsync();

        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var truth = await session.App.Read(async db => (await db.Presentations.Where(p => p.ArrivedAt >= from && p.ArrivedAt < to)
            .Join(db.Sites, p => p.SiteId, s => s.Id, (p, s) => new { s.Name, Assessed = p.PsychosocialAssessmentAt != null }).ToListAsync())
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => (Assessed: g.Count(p => p.Assessed), Of: g.Count())));
        var headers = await page.Locator("table.measures").First.Locator("thead th").AllInnerTextsAsync();
        var presentations = await page.Locator("table.measures").First.Locator("tbody tr").First.Locator("td").AllInnerTextsAsync();
        var assessed = page.Locator("table.measures").Nth(1).Locator("tbody tr").First.Locator("td");
        for (var i = 1; i < headers.Count - 1; i++)
        {
            var (n, d) = truth[headers[i]];
            Assert.Equal(d.ToString(System.Globalization.CultureInfo.InvariantCulture), presentations[i - 1]);
            var cell = await assessed.Nth(i - 1).InnerTextAsync();
            Assert.Contains($" of {d}", cell, StringComparison.Ordinal);
            Assert.True(cell.StartsWith($"{n} of", StringComparison.Ordinal) || (n is > 0 and < 5 ? cell.StartsWith("fewer than 5", StringComparison.Ordinal) : cell.StartsWith("5 or more", StringComparison.Ordinal)),
                $"{headers[i]}: {n} of {d} shown as {cell}");
        }

        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "measures-by-site");

        await page.GetByRole(AriaRole.Link, new() { Name = "the programme evaluation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aftercare programme evaluation", Level = 1 })).ToBeVisibleAsync();
        // The site's own layout and navigation, not a bare page.
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Service measures" })).ToBeVisibleAsync();
        var text = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotMatch(@"(?<![\d.,])[1-4] (engaged|people|events)\b", text);
        Assert.Contains("as on the service measures", text, StringComparison.Ordinal);
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "evaluation-in-layout");
    }

    /// <summary>
    /// Issue 15: the report's time series section, fitted on a synthetic series with deaths, opened as the
    /// analyst opens the file: the plots are images with a name and a description, and axe finds nothing serious.
    /// </summary>
    [Fact]
    public async Task The_time_series_report_opened_from_its_file_is_accessible_with_named_plots()
    {
        var series = Aftercare.App.Evaluation.SyntheticSeries.Generate(new DateOnly(2022, 1, 1), 48, 24, seed: 15);
        var its = Aftercare.App.Evaluation.InterruptedTimeSeries.Run(series, new DateOnly(2024, 1, 1));
        var file = Path.Combine(Directory.CreateTempSubdirectory("aftercare-its-report-").FullName, "report.html");
        await File.WriteAllTextAsync(file, Aftercare.App.Evaluation.EvaluationReport.Render(null, new("a synthetic series", AftercareApplication.Now, null, null, TimeSeries: its)));

        var page = await session.NewPage();
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Over time: before and after the programme started", Level = 2 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Deaths from any cause each month, 2022-01 to 2025-12" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
    }
}

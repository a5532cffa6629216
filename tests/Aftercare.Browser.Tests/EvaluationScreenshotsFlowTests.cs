using Aftercare.App.Evaluation;
using Aftercare.Tests;

namespace Aftercare.Browser.Tests;

/// <summary>
/// The screenshots of the evaluation report in docs/screenshots, made the same way every time (issue 15): a synthetic
/// cohort and series (clearly fake, with known effects) rendered as `aftercare evaluate --cohort --series` renders them,
/// opened in Chromium as the analyst opens the file, checked by axe, and each section photographed into
/// artifacts/screenshots. To refresh the committed ones:
///   AFTERCARE_DOCS_SCREENSHOTS=1 artifacts/bin/Aftercare.Browser.Tests/debug/Aftercare.Browser.Tests -class Aftercare.Browser.Tests.EvaluationScreenshotsFlowTests
/// </summary>
public sealed class EvaluationScreenshotsFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task The_report_on_a_synthetic_cohort_and_series_is_photographed_section_by_section()
    {
        var rows = SyntheticCohort.Generate(2_000, seed: 15);
        var series = SyntheticSeries.Generate(new DateOnly(2022, 1, 1), 48, 24, seed: 15);
        var context = new ReportContext("the cohort file synthetic-cohort.csv and the series file series.csv", AftercareApplication.Now, null, null,
            TimeSeries: InterruptedTimeSeries.Run(series, new DateOnly(2024, 1, 1)));
        var file = Path.Combine(Directory.CreateTempSubdirectory("aftercare-report-screens-").FullName, "report.html");
        await File.WriteAllTextAsync(file, EvaluationReport.Render(EvaluateProgramme.Run(rows), context), TestContext.Current.CancellationToken);

        var page = await session.NewPage();
        await page.SetViewportSizeAsync(1200, 1000);
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All repeat presentations, not only the first", Level = 3 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sensitivity: the landmark moved", Level = 2 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        // Each section from its heading to the next heading of its level (at most 2,400 pixels).
        (string Name, string From, string To)[] sections =
        [
            ("evaluation-time-series", "h2:text-is('Over time: before and after the programme started')", "h2:text-is('Methods')"),
            ("evaluation-all-repeats", "#repeat-all", "#repeat-all ~ h3"),
            ("evaluation-competing-risks", "#repeat-competing", "section:has(#repeat-competing) + section h2"),
            ("evaluation-landmark", "#landmark", "#landmark ~ table + p"),
        ];
        var docs = Environment.GetEnvironmentVariable("AFTERCARE_DOCS_SCREENSHOTS") == "1" ? Path.Combine(Directory.GetParent(BrowserSession.ScreenshotFolder)!.Parent!.FullName, "docs", "screenshots") : null;
        foreach (var (name, from, to) in sections)
        {
            var top = await Top(page, from);
            var bottom = await Bottom(page, to);
            Assert.True(bottom > top, $"{name}: the section ends before it starts");
            var clip = new Clip { X = 0, Y = (float)Math.Max(0, top - 12), Width = 1200, Height = (float)Math.Min(2400, bottom - top + 4) };
            var path = Path.Combine(BrowserSession.ScreenshotFolder, name + ".png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Clip = clip });
            if (docs is not null)
            {
                File.Copy(path, Path.Combine(docs, name + ".png"), overwrite: true);
            }
        }
    }

    private static Task<double> Top(IPage page, string selector) =>
        page.Locator(selector).First.EvaluateAsync<double>("e => e.getBoundingClientRect().top + window.scrollY");

    /// <summary>The top of the next section's heading, or the bottom of the section's last element.</summary>
    private static Task<double> Bottom(IPage page, string selector) =>
        page.Locator(selector).First.EvaluateAsync<double>("e => e.tagName === 'P' ? e.getBoundingClientRect().bottom + window.scrollY : e.getBoundingClientRect().top + window.scrollY");
}

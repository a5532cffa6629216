using Aftercare.Tests;
using Deque.AxeCore.Playwright;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright .NET (never `playwright install`), against the real
/// application on a loopback port.
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public AftercareApplication App { get; } = new();

    public IBrowser Browser { get; private set; } = default!;

    public static string ScreenshotFolder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aftercare.slnx")))
            {
                dir = dir.Parent;
            }

            var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    private static string? Chromium => ChromiumPaths.FirstOrDefault(File.Exists);

    public async ValueTask InitializeAsync()
    {
        if (Chromium is null)
        {
            // Under CI a missing browser is a failure, never a silent skip.
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException("Chromium is not installed (./test.sh installs Debian's chromium).");
            }

            return;
        }

        await App.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public static bool Available => Chromium is not null;

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }

    public async Task<IPage> NewPage()
    {
        if (!Available)
        {
            Assert.Skip("Chromium is not installed here; ./test.sh installs it.");
        }

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        // A 2-core machine building or testing something else can take longer than Playwright's
        // 30 s to serve a first page; waiting longer is no timing claim, only patience.
        page.SetDefaultNavigationTimeout(90_000);
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>
    /// Signs in on the sign-in page the browser is on, as a person does: email and password, then
    /// the code from their authenticator app (computed on the app's fake clock). With
    /// <paramref name="checkCodePage"/>, the code page is scanned by axe and photographed.
    /// </summary>
    public async Task SignIn(IPage page, Aftercare.App.Demo.DemoData.DemoUser user, bool checkCodePage = false)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(user);
        await page.GetByLabel("Email address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter your code", Level = 1 })).ToBeVisibleAsync();
        if (checkCodePage)
        {
            await AssertAccessible(page);
            await Screenshot(page, "signin-code");
        }

        await page.GetByLabel("Code").FillAsync((await App.NextCodeAsync(user.Email))!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>An axe scan of the page as it stands: no serious or critical violations.</summary>
    public static async Task AssertAccessible(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("\n", serious));
    }

    public static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
}

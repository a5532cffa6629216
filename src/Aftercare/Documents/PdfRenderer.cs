using Aftercare.Hosting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Playwright;

namespace Aftercare.Documents;

/// <summary>
/// PDFs are Chromium's print of the same component the print view shows (docs/architecture.md). The
/// component is rendered to HTML here, with the stylesheet inlined, and printed by Debian's
/// Chromium through Playwright; nothing is fetched, so no session or URL carries the record.
/// </summary>
public sealed class PdfRenderer(IServiceProvider services, ILoggerFactory loggers, AftercareOptions options) : IAsyncDisposable
{
    private static readonly string[] ChromiumLocations = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
    private readonly SemaphoreSlim _start = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string? ChromiumPath => options.ChromiumPath is { Length: > 0 } configured ? configured : ChromiumLocations.FirstOrDefault(File.Exists);

    public bool Available => ChromiumPath is not null;

    public async Task<byte[]> RenderAsync<TComponent>(string title, IDictionary<string, object?> parameters, CancellationToken ct)
        where TComponent : IComponent
    {
        var html = await HtmlAsync<TComponent>(title, parameters);
        var browser = await BrowserAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { JavaScriptEnabled = false });
        try
        {
            await page.SetContentAsync(html);
            return await page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = true, Margin = new Margin { Top = "18mm", Bottom = "18mm", Left = "16mm", Right = "16mm" } });
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    public async Task<string> HtmlAsync<TComponent>(string title, IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        var body = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        return $"<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{System.Net.WebUtility.HtmlEncode(title)}</title>"
            + $"<style>{Stylesheet.Value}</style></head><body class=\"print\"><main class=\"page\">{body}</main></body></html>";
    }

    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = typeof(PdfRenderer).Assembly.GetManifestResourceStream("Aftercare.Assets.app.css")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private async Task<IBrowser> BrowserAsync()
    {
        if (_browser is { IsConnected: true })
        {
            return _browser;
        }

        await _start.WaitAsync();
        try
        {
            if (_browser is { IsConnected: true })
            {
                return _browser;
            }

            var path = ChromiumPath ?? throw new InvalidOperationException("Chromium is not installed: apt-get install chromium (or set Aftercare:ChromiumPath).");
            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return _browser;
        }
        finally
        {
            _start.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _start.Dispose();
    }
}

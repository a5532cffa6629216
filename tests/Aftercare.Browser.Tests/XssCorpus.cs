namespace Aftercare.Browser.Tests;

/// <summary>
/// Classic cross-site scripting payloads, each at most 100 characters (the shortest free-text
/// limit, a name) on one line. Each calls <c>__xss(n)</c> if it ever runs; <see cref="Detector"/>
/// defines that function in every frame before any page script, so a run is seen whatever the view.
/// </summary>
public static class XssCorpus
{
    public static IReadOnlyList<string> Payloads { get; } =
    [
        "<script>__xss(1)</script>",
        "<img src=x onerror=__xss(2)>",
        "<svg onload=__xss(3)><circle r=1 /></svg>",
        "<a href=\"javascript:__xss(4)\">open me</a>",
        "\" autofocus onfocus=\"__xss(5)\" x=\"",
        "' autofocus onfocus='__xss(6)' x='",
        "</textarea><script>__xss(7)</script>",
        "</title><script>__xss(8)</script>",
        "\";__xss(9);//</script><script>__xss(9)</script>",
        "{{constructor.constructor('__xss(10)')()}} ${__xss(10)} @(__xss(10))",
        "<iframe srcdoc=\"<script>parent.__xss(11)</script>\"></iframe>",
        "<div style=\"background:url(javascript:__xss(12));width:expression(__xss(12))\">css</div>",
        "＜script＞__xss(13)＜/script＞ \\u003cscript\\u003e__xss(13)\\u003c/script\\u003e",
        "&lt;script&gt;__xss(14)&lt;/script&gt; %3Cscript%3E__xss(14)%3C/script%3E",
        "<details open ontoggle=__xss(15)><summary>x</summary></details>",
    ];

    /// <summary>
    /// Run before every document: <c>__xss</c> reports a payload that ran, and every Content-Security-Policy
    /// violation is reported too, both on the console where the test listens across navigations and frames.
    /// </summary>
    public const string Detector = """
        window.__xss = (n) => console.log('XSS-RAN ' + n + ' at ' + location.href);
        document.addEventListener('securitypolicyviolation', (e) =>
            console.log('CSP-VIOLATION ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' sample ' + (e.sample || '') + ' at ' + location.href));
        """;

    /// <summary>
    /// Elements and attributes a stored payload would add if it were not encoded: event handlers,
    /// scripts, frames, javascript: links. The app's own markup has none of these but its own script files
    /// (`<script src="/assets/…">` with nothing inside, e.g. the person's offline plan): a payload cannot add one of those.
    /// </summary>
    public const string InjectedMarkup = """
        () => {
            const found = [];
            for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                    if (a.name.startsWith('on') || a.name === 'srcdoc' || /^\s*javascript:/i.test(a.value)) found.push(el.tagName + '[' + a.name + ']');
                }
            }
            for (const el of document.querySelectorAll('script, iframe, object, embed, frame')) {
                const own = el.tagName === 'SCRIPT' && /^\/assets\/[a-z0-9-]+\.js$/.test(el.getAttribute('src') || '') && el.textContent === '';
                if (!own) found.push(el.tagName);
            }
            return found;
        }
        """;
}

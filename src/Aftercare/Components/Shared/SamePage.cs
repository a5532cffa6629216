using Microsoft.AspNetCore.Components;

namespace Aftercare.Components.Shared;

/// <summary>Links to a part of the page the person is on.</summary>
public static class SamePage
{
    /// <summary>
    /// This page's own path and query with <paramref name="id"/> as the fragment. The layout's
    /// <c>&lt;base href="/"&gt;</c> sends a bare "#id" to the home page and loses what was typed;
    /// the same document's address with a new fragment moves to the element (and focuses a field)
    /// without reloading, and needs no script (the CSP allows none inline).
    /// </summary>
    public static string Link(NavigationManager navigation, string id)
    {
        ArgumentNullException.ThrowIfNull(navigation);
        var here = new Uri(navigation.Uri);
        return $"{here.AbsolutePath}{here.Query}#{Uri.EscapeDataString(id)}";
    }

    /// <summary>
    /// Where a form on a long page posts: this page's path (no query, so a "saved" or "registered"
    /// notice from before is not shown beside a refusal) with <paramref name="id"/> as the fragment.
    /// The browser scrolls the answer to that element, so a refused post shows its error summary
    /// where the person is looking rather than 1,500 px below the top. A redirect after a post that
    /// worked keeps the fragment only when its own address has none.
    /// </summary>
    public static string Action(NavigationManager navigation, string id)
    {
        ArgumentNullException.ThrowIfNull(navigation);
        return $"{new Uri(navigation.Uri).AbsolutePath}#{Uri.EscapeDataString(id)}";
    }
}

using System.Globalization;
using Humanizer;

namespace Aftercare.App;

/// <summary>
/// Counts in the words people read: "1 try", "3 tries", "once", "twice", "3 times". Every count
/// a person sees goes through here (issue #11: "1 failed tries", "not reached 1 time(s)"), so a
/// plural is never patched string by string. English only, as the rest of the interface is.
/// </summary>
public static class Words
{
    /// <summary>"1 failed try", "2 failed tries", "0 deaths": the noun phrase's last word follows the number.</summary>
    public static string Count(int count, string singular) =>
        singular.ToQuantity(count, ShowQuantityAs.Numeric);

    /// <summary>"once", "twice", "3 times": how often something happened.</summary>
    public static string Times(int count) => count switch
    {
        1 => "once",
        2 => "twice",
        _ => string.Create(CultureInfo.InvariantCulture, $"{count} times"),
    };

    /// <summary>A code name such as <c>BreakGlassReviewed</c> as words: "Break glass reviewed".</summary>
    public static string FromCodeName(string codeName) => codeName.Humanize(LetterCasing.Sentence);
}

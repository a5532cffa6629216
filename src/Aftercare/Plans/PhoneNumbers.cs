using System.Text.RegularExpressions;

namespace Aftercare.Plans;

/// <summary>
/// Phone numbers in what the person wrote in their plan ("my sister Jo, 07700 900123"), so that on
/// their phone a number is one tap away. UK numbers: 0 or +44 and then 9 or 10 digits, spaces or
/// hyphens allowed between them; and 999, 111 and the 116 helplines (Samaritans' 116 123).
/// </summary>
public static partial class PhoneNumbers
{
    public sealed record Part(string Text, string? Tel);

    [GeneratedRegex(@"(?<![\w+])(?:(?:\+44[ -]?|0)\d(?:[ -]?\d){8,9}|116 ?\d{3}|999|111)(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Number();

    /// <summary>The text in order, each phone number as its own part with its tel: address.</summary>
    public static IReadOnlyList<Part> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<Part>();
        var at = 0;
        foreach (Match match in Number().Matches(text))
        {
            if (match.Index > at)
            {
                parts.Add(new Part(text[at..match.Index], null));
            }

            parts.Add(new Part(match.Value, "tel:" + new string([.. match.Value.Where(c => char.IsAsciiDigit(c) || c == '+')])));
            at = match.Index + match.Length;
        }

        if (at < text.Length)
        {
            parts.Add(new Part(text[at..], null));
        }

        return parts;
    }
}

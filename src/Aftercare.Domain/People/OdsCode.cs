namespace Aftercare.Domain.People;

/// <summary>
/// An NHS Organisation Data Service (ODS) code, as a GP practice or a hospital site is known
/// nationally (a GP practice: a letter and five digits, e.g. A81001; a trust's site: e.g. RXX01).
/// Only its shape is checked here; whether it is on the ODS register is not.
/// </summary>
public static class OdsCode
{
    public const int MaxLength = 10;

    /// <summary>Letters and digits (upper case), 3 to 10 of them, starting with a letter.</summary>
    public static bool IsValid(string? code) =>
        code is { Length: >= 3 and <= MaxLength } && char.IsAsciiLetterUpper(code[0]) && code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}

namespace Aftercare.Domain.People;

/// <summary>An identifier the person is known by: a hospital MRN or a national (NHS) number.</summary>
public sealed class PersonIdentifier
{
    private PersonIdentifier(IdentifierKind kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    public Guid PersonId { get; private set; }

    public IdentifierKind Kind { get; private set; }

    public string Value { get; private set; }

    public override string ToString() => $"{Kind.Describe()} {Value}";

    /// <summary>Normalises and checks an identifier; the field name is used in the error.</summary>
    public static Result<PersonIdentifier> Create(IdentifierKind kind, string? raw, string field = "identifier")
    {
        var value = Normalise(kind, raw);
        if (value.Length == 0)
        {
            return Result<PersonIdentifier>.Failure(field, $"Enter the {kind.Describe()}.");
        }

        return kind switch
        {
            IdentifierKind.NhsNumber when !IsValidNhsNumber(value) => Result<PersonIdentifier>.Failure(field,
                "An NHS number is 10 digits and its last digit is a check digit; this one does not check out. Look at it again."),
            IdentifierKind.Mrn when value.Length > 20 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') =>
                Result<PersonIdentifier>.Failure(field, "An MRN is up to 20 letters, digits and hyphens."),
            _ => new PersonIdentifier(kind, value),
        };
    }

    public static string Normalise(IdentifierKind kind, string? raw)
    {
        var trimmed = (raw ?? "").Trim();
        return kind == IdentifierKind.NhsNumber
            ? new string(trimmed.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray())
            : trimmed.ToUpperInvariant();
    }

    /// <summary>The NHS number check digit: modulus 11 over the first nine digits, weights 10 down to 2.</summary>
    public static bool IsValidNhsNumber(string value)
    {
        if (value.Length != 10 || !value.All(char.IsAsciiDigit))
        {
            return false;
        }

        return NhsCheckDigit(value.AsSpan(0, 9)) == value[9] - '0';
    }

    /// <summary>
    /// The check digit for the first nine digits of an NHS number (modulus 11, weights 10 down to 2),
    /// or null when they make 10: no NHS number starts with them. The one implementation.
    /// </summary>
    public static int? NhsCheckDigit(ReadOnlySpan<char> nineDigits)
    {
        if (nineDigits.Length != 9)
        {
            throw new ArgumentException("An NHS number's check digit is worked out from its first nine digits.", nameof(nineDigits));
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (nineDigits[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check switch { 11 => 0, 10 => null, _ => check };
    }
}

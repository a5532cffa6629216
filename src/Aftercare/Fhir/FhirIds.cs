using System.Globalization;

namespace Aftercare.Fhir;

/// <summary>What a record's id says: a version 7 id holds the moment it was made (RFC 9562), to the millisecond.</summary>
public static class FhirIds
{
    /// <summary>
    /// When a row with a version 7 id was made (its first 48 bits, Unix milliseconds), or null for
    /// any other id: the time something was scheduled or added, where the record keeps no other.
    /// </summary>
    public static DateTimeOffset? CreatedAt(Guid id)
    {
        if (id.Version != 7)
        {
            return null;
        }

        var milliseconds = long.Parse(id.ToString("N", CultureInfo.InvariantCulture)[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }
}

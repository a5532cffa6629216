using System.Globalization;
using Aftercare.App;
using Aftercare.Domain;

namespace Aftercare.Components.Shared;

/// <summary>
/// What a form posted, as values: the one place a posted string becomes a date, a number or a choice, for bound
/// forms (<c>[SupplyParameterFromForm]</c> string properties) and for <see cref="PostedForm"/> alike
/// (docs/adr/0015-one-form-style.md). A value that cannot be read at all adds an error naming its field.
/// </summary>
public static class FormValues
{
    /// <summary>Trimmed, and null when nothing was typed.</summary>
    public static string? Optional(string? text) => text?.Trim() is { Length: > 0 } t ? t : null;

    public static int Number(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>A choice by name; the fallback when none (or one that does not exist) was posted.</summary>
    public static T Enum<T>(string? text, T fallback) where T : struct, Enum =>
        System.Enum.TryParse<T>(text?.Trim(), out var value) && System.Enum.IsDefined(value) ? value : fallback;

    /// <summary>A date and time typed in the service's zone (a datetime-local field); null when empty.</summary>
    public static DateTimeOffset? LocalDateTime(string? text, LocalTime time, string field, string message, ICollection<Error> into)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(into);
        if (Optional(text) is not { } typed)
        {
            return null;
        }

        if (DateTime.TryParse(typed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return time.FromLocal(local);
        }

        into.Add(new Error(field, message));
        return null;
    }

    /// <summary>A date field (yyyy-MM-dd); null when empty.</summary>
    public static DateOnly? Date(string? text, string field, string message, ICollection<Error> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (Optional(text) is not { } typed)
        {
            return null;
        }

        if (DateOnly.TryParseExact(typed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        into.Add(new Error(field, message));
        return null;
    }

    /// <summary>A moment as a datetime-local field shows it, in the service's zone.</summary>
    public static string Local(LocalTime time, DateTimeOffset? value)
    {
        ArgumentNullException.ThrowIfNull(time);
        return value is { } v ? time.ToLocal(v).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : "";
    }
}

using Aftercare.App;
using System.Globalization;
using Aftercare.Domain;
using Aftercare.Hosting;

namespace Aftercare.Documents;

/// <summary>
/// Reads a posted form of many narrative fields and rows by name. Clinical documents have lists
/// that grow (risks, goals, roles), which plain names read more simply than model binding.
/// </summary>
public sealed class PostedForm(IFormCollection form, LocalTime time)
{
    private readonly List<Error> _errors = [];

    /// <summary>Values that could not be read at all (a date that is not a date).</summary>
    public IReadOnlyList<Error> Errors => _errors;

    public string Text(string name) => (form[name].ToString() ?? "").Trim();

    public string? Optional(string name) => Text(name) is { Length: > 0 } t ? t : null;

    public IReadOnlyList<string> All(string name) => [.. form[name].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())];

    public int Number(string name) => int.TryParse(Text(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public T Enum<T>(string name, T fallback) where T : struct, Enum =>
        System.Enum.TryParse<T>(Text(name), out var value) && System.Enum.IsDefined(value) ? value : fallback;

    public DateTimeOffset? LocalDateTime(string name, string message)
    {
        var text = Text(name);
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return time.FromLocal(local);
        }

        _errors.Add(new Error(name, message));
        return null;
    }

    public DateOnly? Date(string name, string message)
    {
        var text = Text(name);
        if (text.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        _errors.Add(new Error(name, message));
        return null;
    }

    /// <summary>Rows posted as name-0-field, name-1-field, … up to a limit.</summary>
    public IEnumerable<int> Rows(string prefix, int max = 30) =>
        Enumerable.Range(0, max).Where(i => form.Keys.Any(k => k.StartsWith($"{prefix}-{i}-", StringComparison.Ordinal)));

    public static string Local(LocalTime time, DateTimeOffset? value) =>
        value is { } v ? time.ToLocal(v).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : "";
}

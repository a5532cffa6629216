using Aftercare.App;
using Aftercare.Domain;

namespace Aftercare.Components.Shared;

/// <summary>
/// Reads a posted form whose fields are generated, by name: the sections of a safety plan or an assessment
/// (one field per section of a Domain list) and rows that grow (goals, roles, risks posted as goal-0-goal, …),
/// which model binding would need a property or an index for. Every other form binds
/// <c>[SupplyParameterFromForm]</c> properties (docs/adr/0015-one-form-style.md). Values are read through
/// <see cref="FormValues"/>, as bound forms read theirs.
/// </summary>
public sealed class PostedForm(IFormCollection form, LocalTime time)
{
    private readonly List<Error> _errors = [];

    /// <summary>Values that could not be read at all (a date that is not a date).</summary>
    public IReadOnlyList<Error> Errors => _errors;

    public string Text(string name) => (form[name].ToString() ?? "").Trim();

    public string? Optional(string name) => FormValues.Optional(Text(name));

    public IReadOnlyList<string> All(string name) => [.. form[name].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())];

    public int Number(string name) => FormValues.Number(Text(name));

    public T Enum<T>(string name, T fallback) where T : struct, Enum => FormValues.Enum(Text(name), fallback);

    public DateTimeOffset? LocalDateTime(string name, string message) => FormValues.LocalDateTime(Text(name), time, name, message, _errors);

    public DateOnly? Date(string name, string message) => FormValues.Date(Text(name), name, message, _errors);

    /// <summary>Rows posted as name-0-field, name-1-field, … up to a limit.</summary>
    public IEnumerable<int> Rows(string prefix, int max = 30) =>
        Enumerable.Range(0, max).Where(i => form.Keys.Any(k => k.StartsWith($"{prefix}-{i}-", StringComparison.Ordinal)));
}

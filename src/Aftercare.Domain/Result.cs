namespace Aftercare.Domain;

/// <summary>
/// What kind of failure an error is. Each edge (pages, JSON, FHIR) maps a kind to its answer once
/// (docs/architecture.md, "One error vocabulary"); a use case never picks a status code.
/// </summary>
public enum ErrorKind
{
    /// <summary>What was sent is not acceptable as it stands: a person can correct it (a field error).</summary>
    Invalid,

    /// <summary>What it names does not exist, or not for this person.</summary>
    NotFound,

    /// <summary>Someone changed it first: nothing was written, and the person should look again.</summary>
    Stale,

    /// <summary>Well formed, but a clinical or service rule does not allow it now (with the reason).</summary>
    Refused,

    /// <summary>The person asking may not do this.</summary>
    Forbidden,
}

/// <summary>An expected failure: what kind, which field, and what a person should do about it.</summary>
public sealed record Error(string Field, string Message, ErrorKind Kind = ErrorKind.Invalid)
{
    /// <summary>A failure that is not about one field (a refusal with a reason).</summary>
    public static Error General(string message) => new("", message);

    public static Error NotFound(string field, string message) => new(field, message, ErrorKind.NotFound);

    /// <summary>A lost race with someone else's edit; the field is the version the person was based on.</summary>
    public static Error Stale(string message) => new("version", message, ErrorKind.Stale);

    public static Error Refused(string message, string field = "") => new(field, message, ErrorKind.Refused);

    public static Error Forbidden(string message) => new("", message, ErrorKind.Forbidden);
}

/// <summary>The kind that decides the answer when a result carries several errors.</summary>
public static class ErrorKinds
{
    /// <summary>
    /// Forbidden, then not found, then stale, then refused, then invalid: the answer says the first thing
    /// the person must deal with (there is no point correcting a field of a record one may not change).
    /// </summary>
    public static ErrorKind Decisive(this IEnumerable<Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var kinds = errors.Select(e => e.Kind).ToList();
        foreach (var kind in (ReadOnlySpan<ErrorKind>)[ErrorKind.Forbidden, ErrorKind.NotFound, ErrorKind.Stale, ErrorKind.Refused])
        {
            if (kinds.Contains(kind))
            {
                return kind;
            }
        }

        return ErrorKind.Invalid;
    }
}

/// <summary>
/// Expected failures are values, exceptions are bugs (docs/architecture.md). A result holds either a value or
/// one or more errors, each naming the field and the problem.
/// </summary>
public sealed class Result<T>
{
    private readonly T? _value;

    private Result(T? value, IReadOnlyList<Error> errors)
    {
        _value = value;
        Errors = errors;
    }

    public IReadOnlyList<Error> Errors { get; }

    public bool IsSuccess => Errors.Count == 0;

    public T Value => IsSuccess
        ? _value!
        : throw new InvalidOperationException("A failed result has no value; read Errors instead.");

#pragma warning disable CA1000 // Static factories on the generic type read best at the call site.
    public static Result<T> Success(T value) => new(value, []);

    public static Result<T> Failure(IReadOnlyList<Error> errors) =>
        errors.Count == 0
            ? throw new ArgumentException("A failure needs at least one error.", nameof(errors))
            : new Result<T>(default, errors);

    public static Result<T> Failure(string field, string message) => Failure([new Error(field, message)]);

    public static Result<T> Failure(Error error) => Failure([error]);
#pragma warning restore CA1000

    public static implicit operator Result<T>(T value) => Success(value);
}

/// <summary>Collects field errors while a command is checked, so a person sees all of them at once.</summary>
public sealed class Errors
{
    private readonly List<Error> _list = [];

    public IReadOnlyList<Error> List => _list;

    public bool Any => _list.Count > 0;

    public void Add(string field, string message) => _list.Add(new Error(field, message));

    public void AddIf(bool condition, string field, string message)
    {
        if (condition)
        {
            Add(field, message);
        }
    }

    public void Add(Error error) => _list.Add(error);

    /// <summary>A rule that says no now (not a field to correct): the error is <see cref="ErrorKind.Refused"/>, beside its field.</summary>
    public void RefuseIf(bool condition, string field, string message)
    {
        if (condition)
        {
            _list.Add(Error.Refused(message, field));
        }
    }
}
